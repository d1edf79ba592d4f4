import { z } from 'zod'
import { SPAN_KINDS } from '../span.js'

/**
 * Wire format v1, as sent by our SDK and by anyone posting native spans. Lenient where
 * producers differ (epoch or RFC 3339 times, null for absent), strict where a wrong value would be
 * stored wrongly (negative or fractional token counts, malformed ids). Unknown keys are kept
 * (looseObject) and land in `attributes`.
 */
// Sane ranges, not just representable ones: a value past these is a producer bug, and sums of a few
// such values would overflow or drown every real figure in the analytics (a cost of 1e300 once did).
export const MAX_TOKENS = 1e12
export const MAX_SPAN_COST_USD = 1e6
export const MAX_TTFT_MS = 86_400_000
const Count = z.number().int().nonnegative().max(MAX_TOKENS)
const Usd = z.number().finite().nonnegative().max(MAX_SPAN_COST_USD)
const Time = z.union([z.string().max(64), z.number().nonnegative(), z.bigint()])
const Scalar = z.union([z.string(), z.number(), z.boolean()])
const Text = z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown()), z.number(), z.boolean()])

export const WireUsage = z.looseObject({
  input_tokens: Count.nullish(),
  output_tokens: Count.nullish(),
  total_tokens: Count.nullish(),
  cache_read_tokens: Count.nullish(),
  cache_write_tokens: Count.nullish(),
  reasoning_tokens: Count.nullish(),
  // OpenAI chat-completions names, accepted as aliases.
  prompt_tokens: Count.nullish(),
  completion_tokens: Count.nullish(),
})

export const WireCost = z.object({
  input_usd: Usd.nullish(),
  output_usd: Usd.nullish(),
  total_usd: Usd.nullish(),
})

export const WireAgent = z.object({
  id: z.string().max(256).nullish(),
  name: z.string().max(256).nullish(),
  role: z.string().max(256).nullish(),
  parent_id: z.string().max(256).nullish(),
})

export const WireSpan = z.looseObject({
  trace_id: z.string().max(64).nullish(),
  span_id: z.string().max(64).nullish(),
  parent_span_id: z.string().max(64).nullish(),
  name: z.string().max(256).nullish(),
  kind: z.string().max(32).nullish(),
  start_time: Time.nullish(),
  end_time: Time.nullish(),
  status: z
    .union([z.string().max(32), z.object({ code: z.union([z.string(), z.number()]), message: z.string().nullish() })])
    .nullish(),
  error_message: z.string().nullish(),
  provider: z.string().max(128).nullish(),
  model: z.string().max(256).nullish(),
  response_model: z.string().max(256).nullish(),
  operation: z.string().max(64).nullish(),
  stream: z.boolean().nullish(),
  ttft_ms: z.number().finite().nonnegative().max(MAX_TTFT_MS).nullish(),
  usage: WireUsage.nullish(),
  cost: WireCost.nullish(),
  agent: WireAgent.nullish(),
  user_id: z.string().max(256).nullish(),
  session_id: z.string().max(256).nullish(),
  tags: z.record(z.string().max(128), Scalar).nullish(),
  input: Text.nullish(),
  output: Text.nullish(),
  attributes: z.record(z.string().max(256), z.unknown()).nullish(),
})
export type WireSpan = z.infer<typeof WireSpan>

export const KNOWN_KINDS: ReadonlySet<string> = new Set(SPAN_KINDS)

/** First zod issue as `path: message`, the form rejections are listed in. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'invalid span'
  const path = issue.path.map(String).join('.')
  return path ? `${path}: ${issue.message}` : issue.message
}
