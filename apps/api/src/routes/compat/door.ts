import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import { UnsupportedMediaTypeError } from '@tollgate/core'
import { ingestSpans, type IngestResult, type Normalizer } from '@tollgate/pipeline'
import { z } from 'zod'
import type { AppEnv } from '../../context.js'
import { parseJson, readBody } from '../../lib/body.js'

/**
 * What every compatibility door (OTLP, instrumentation-sdk, tokenome, aden) shares with
 * `POST /api/ingest`: admission before the body, the body read with its limits (bytes counted as they
 * arrive, gzip/deflate inflated off the event loop, `MAX_BODY_BYTES` on both), and the one ingest verb
 * (normalise → plausibility → enrich → write-ahead log; resolves once durable; dedup on the span key at
 * store time). Each door only parses its own format and answers the way its clients act on.
 */

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b|^text\/plain\b/i

/** The raw body within the limits (decompressed). */
export async function readRaw(c: Context<AppEnv>): Promise<Buffer> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  return readBody(c.req.raw, c.var.deps.limits.maxBodyBytes, incoming)
}

/** A JSON body (any JSON media type, or none declared). */
export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('content-type')
  if (type && !JSON_TYPE.test(type))
    throw new UnsupportedMediaTypeError(`Content-Type ${type} is not accepted; send application/json`)
  return parseJson(await readRaw(c))
}

/** The ingest verb for the caller's project, counted in the same metrics as `POST /api/ingest`. */
export async function ingestItems(c: Context<AppEnv>, items: unknown[], normalize: Normalizer): Promise<IngestResult> {
  const { ingest, metrics } = c.var.deps
  const result = await ingestSpans(ingest, { projectId: c.var.caller.projectId, items, normalize })
  for (const r of result.rejected) metrics.ingestRejected.inc({ reason: r.reason })
  if (result.rejected.length > 0) metrics.ingestSpans.inc({ result: 'rejected' }, result.rejected.length)
  if (result.accepted > 0) metrics.ingestSpans.inc({ result: 'accepted' }, result.accepted)
  return result
}

/** The per-index rejections every JSON door lists. */
export const Rejected = z.array(z.object({ index: z.number().int(), error: z.string() }))

/** A zod schema as a plain JSON Schema for the document only: the door validates with its normaliser. */
export function documented(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >
  return rest
}
