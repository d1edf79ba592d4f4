import { z } from 'zod'

/**
 * The topic catalog: every topic Tollgate produces to or consumes from, with the zod schema of its
 * message value. Every message is parsed with its schema on the way in. Rolling deploys: a field is
 * added as optional, never renamed or removed; `v` is the highest schema version the writer knew, and
 * a reader accepts any `v` it can parse (extra fields are ignored, not an error).
 */

/** One accepted span: the `spans` row as the API serialised it, and the authenticated project. Key = trace_id. */
export const SpanMessage = z.object({
  v: z.number().int().min(1),
  project_id: z.string().min(1),
  /** The `spans` row as a JSONCompactEachRow line (packages/store row-line.ts); ingested_at is inside. */
  line: z.string().min(2),
})
export type SpanMessage = z.infer<typeof SpanMessage>

/** Something the worker could not store: why, where it came from, and the payload exactly as read. */
export const DeadLetterMessage = z.object({
  v: z.number().int().min(1),
  error: z.string(),
  at: z.string(),
  source: z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() }).optional(),
  project_id: z.string().optional(),
  /** The original message value (UTF-8), or the row line when the store refused a parsed span. */
  payload: z.string(),
})
export type DeadLetterMessage = z.infer<typeof DeadLetterMessage>

export const TOPICS = {
  spans: { name: 'tollgate.spans.v1', schema: SpanMessage },
  deadLetter: { name: 'tollgate.spans.dlq', schema: DeadLetterMessage },
} as const

export type TopicId = keyof typeof TOPICS
export type MessageOf<T extends TopicId> = z.infer<(typeof TOPICS)[T]['schema']>

/** The version this build writes. */
export const MESSAGE_VERSION = 1

export function encodeMessage<T extends TopicId>(topic: T, value: MessageOf<T>): string {
  return JSON.stringify(value)
}

/** Parses a message value with its topic's schema; throws an Error naming the topic and the first issue. */
export function decodeMessage<T extends TopicId>(topic: T, value: Buffer | string | null): MessageOf<T> {
  if (value === null) throw new Error(`${TOPICS[topic].name}: empty message`)
  let json: unknown
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'))
  } catch {
    throw new Error(`${TOPICS[topic].name}: not JSON`)
  }
  const parsed = TOPICS[topic].schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`${TOPICS[topic].name}: ${issue?.path.join('.') || '(value)'} ${issue?.message ?? 'invalid'}`)
  }
  return parsed.data as MessageOf<T>
}
