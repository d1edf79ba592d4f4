import { z } from 'zod'
import { ValidationError } from '@tollgate/core'

/** What the SDK sends besides spans: who it is and what it had to drop (counted, never silent). */
export const IngestClient = z.object({
  name: z.string().max(128).optional(),
  version: z.string().max(64).optional(),
  dropped: z.record(z.string().max(64), z.number().int().nonnegative()).optional(),
})
export type IngestClient = z.infer<typeof IngestClient>

export const IngestResponse = z.object({
  accepted: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), error: z.string() })),
})
export type IngestResponse = z.infer<typeof IngestResponse>

/** The three body forms: one span, an array of spans, or `{ "spans": [...] }`. */
export function splitBody(body: unknown): { spans: unknown[]; client: IngestClient | undefined } {
  if (Array.isArray(body)) return { spans: body, client: undefined }
  if (typeof body !== 'object' || body === null) {
    throw new ValidationError('', 'body must be a span object, an array of spans, or { "spans": [...] }')
  }
  if ('spans' in body) {
    const { spans, client } = body as { spans: unknown; client?: unknown }
    if (!Array.isArray(spans)) throw new ValidationError('spans', 'expected an array')
    const parsedClient = client === undefined ? undefined : IngestClient.safeParse(client)
    if (parsedClient && !parsedClient.success)
      throw new ValidationError('client', parsedClient.error.issues[0]?.message ?? 'invalid')
    return { spans, client: parsedClient?.data }
  }
  return { spans: [body], client: undefined }
}
