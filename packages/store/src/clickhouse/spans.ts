import { z } from 'zod'
import { clickHouseToMicros, microsToClickHouse, microsToIso, type AttributeValue, type EnrichedSpan } from '@tollgate/core'

// Bool columns come back as JSON booleans; z.coerce.boolean() would turn "false" into true.
const Bool = z.union([z.boolean(), z.number()]).transform((v) => Boolean(v))

/** The stored row (snake_case, DateTime64 text), as inserted into and read from `spans`. */
export const SpanRow = z.object({
  project_id: z.string(),
  trace_id: z.string(),
  span_id: z.string(),
  parent_span_id: z.string(),
  name: z.string(),
  kind: z.string(),
  start_time: z.string(),
  end_time: z.string(),
  duration_ms: z.coerce.number(),
  status: z.string(),
  error_message: z.string(),
  provider: z.string(),
  model: z.string(),
  response_model: z.string(),
  operation: z.string(),
  stream: Bool,
  ttft_ms: z.coerce.number().nullable(),
  input_tokens: z.coerce.number(),
  output_tokens: z.coerce.number(),
  total_tokens: z.coerce.number(),
  cache_read_tokens: z.coerce.number(),
  cache_write_tokens: z.coerce.number(),
  reasoning_tokens: z.coerce.number(),
  cost_input_usd: z.coerce.number(),
  cost_output_usd: z.coerce.number(),
  cost_total_usd: z.coerce.number(),
  cost_status: z.string(),
  price_source: z.string(),
  agent_id: z.string(),
  agent_name: z.string(),
  agent_role: z.string(),
  agent_parent_id: z.string(),
  user_id: z.string(),
  session_id: z.string(),
  tags: z.record(z.string(), z.string()),
  input: z.string(),
  output: z.string(),
  input_truncated: Bool,
  output_truncated: Bool,
  attributes: z.record(z.string(), z.string()),
  pii_detected: Bool,
  pii_types: z.array(z.string()),
  injection_attempt: Bool,
  sampled: Bool,
  prompt_sha256: z.string(),
  source: z.string(),
  ingested_at: z.string(),
})
export type SpanRow = z.infer<typeof SpanRow>

/** Column order of every insert into `spans`. */
export const SPAN_COLUMNS = Object.keys(SpanRow.shape) as [keyof SpanRow, ...Array<keyof SpanRow>]

/** Absent strings are stored as '' (no Nullable columns on hot paths) and read back as null. */
export function toSpanRow(s: EnrichedSpan): SpanRow {
  return {
    project_id: s.project_id,
    trace_id: s.trace_id,
    span_id: s.span_id,
    parent_span_id: s.parent_span_id ?? '',
    name: s.name,
    kind: s.kind,
    start_time: microsToClickHouse(s.start_us),
    end_time: microsToClickHouse(s.end_us),
    duration_ms: (s.end_us - s.start_us) / 1000,
    status: s.status,
    error_message: s.error_message ?? '',
    provider: s.provider,
    model: s.model,
    response_model: s.response_model,
    operation: s.operation,
    stream: s.stream,
    ttft_ms: s.ttft_ms,
    input_tokens: s.usage.input_tokens,
    output_tokens: s.usage.output_tokens,
    total_tokens: s.usage.total_tokens,
    cache_read_tokens: s.usage.cache_read_tokens,
    cache_write_tokens: s.usage.cache_write_tokens,
    reasoning_tokens: s.usage.reasoning_tokens,
    cost_input_usd: s.cost?.input_usd ?? 0,
    cost_output_usd: s.cost?.output_usd ?? 0,
    cost_total_usd: s.cost?.total_usd ?? 0,
    cost_status: s.cost_status,
    price_source: s.price_source,
    agent_id: s.agent?.id ?? '',
    agent_name: s.agent?.name ?? '',
    agent_role: s.agent?.role ?? '',
    agent_parent_id: s.agent?.parent_id ?? '',
    user_id: s.user_id ?? '',
    session_id: s.session_id ?? '',
    tags: s.tags,
    input: s.input ?? '',
    output: s.output ?? '',
    input_truncated: s.input_truncated,
    output_truncated: s.output_truncated,
    attributes: Object.fromEntries(Object.entries(s.attributes).map(([k, v]) => [k, JSON.stringify(v)])),
    pii_detected: s.pii_detected,
    pii_types: s.pii_types,
    injection_attempt: s.injection_attempt,
    sampled: s.sampled,
    prompt_sha256: s.prompt_sha256,
    source: s.source,
    ingested_at: microsToClickHouse(s.ingested_us),
  }
}

const UsageView = z.object({
  input_tokens: z.number(),
  output_tokens: z.number(),
  total_tokens: z.number(),
  cache_read_tokens: z.number(),
  cache_write_tokens: z.number(),
  reasoning_tokens: z.number(),
})

/** A span as the query API returns it (DESIGN §7); also its OpenAPI schema. */
export const SpanView = z.object({
  trace_id: z.string(),
  span_id: z.string(),
  parent_span_id: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  start_time: z.string().describe('RFC 3339, UTC, microseconds'),
  end_time: z.string(),
  duration_ms: z.number(),
  status: z.enum(['ok', 'error', 'unset']),
  error_message: z.string().nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  response_model: z.string().nullable(),
  operation: z.string().nullable(),
  stream: z.boolean(),
  ttft_ms: z.number().nullable(),
  usage: UsageView,
  cost: z.object({ input_usd: z.number(), output_usd: z.number(), total_usd: z.number() }).nullable(),
  cost_status: z.enum(['reported', 'computed', 'unknown']),
  price_source: z.string().nullable().describe('genai-prices@<version>, prices-file:<sha256 prefix> or reported'),
  agent: z.object({ id: z.string(), name: z.string(), role: z.string(), parent_id: z.string().nullable() }).nullable(),
  user_id: z.string().nullable(),
  session_id: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  input: z.string().nullable(),
  output: z.string().nullable(),
  input_truncated: z.boolean(),
  output_truncated: z.boolean(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  pii_detected: z.boolean(),
  pii_types: z.array(z.string()),
  injection_attempt: z.boolean(),
  sampled: z.boolean(),
  source: z.string(),
  ingested_at: z.string(),
})
export type SpanView = z.infer<typeof SpanView>

const orNull = (s: string): string | null => (s === '' ? null : s)

export function toSpanView(r: SpanRow): SpanView {
  return {
    trace_id: r.trace_id,
    span_id: r.span_id,
    parent_span_id: orNull(r.parent_span_id),
    name: r.name,
    kind: r.kind,
    start_time: microsToIso(clickHouseToMicros(r.start_time)),
    end_time: microsToIso(clickHouseToMicros(r.end_time)),
    duration_ms: r.duration_ms,
    status: SpanView.shape.status.parse(r.status),
    error_message: orNull(r.error_message),
    provider: orNull(r.provider),
    model: orNull(r.model),
    response_model: orNull(r.response_model),
    operation: orNull(r.operation),
    stream: r.stream,
    ttft_ms: r.ttft_ms,
    usage: {
      input_tokens: r.input_tokens,
      output_tokens: r.output_tokens,
      total_tokens: r.total_tokens,
      cache_read_tokens: r.cache_read_tokens,
      cache_write_tokens: r.cache_write_tokens,
      reasoning_tokens: r.reasoning_tokens,
    },
    cost: r.cost_status === 'unknown' ? null : { input_usd: r.cost_input_usd, output_usd: r.cost_output_usd, total_usd: r.cost_total_usd },
    cost_status: SpanView.shape.cost_status.parse(r.cost_status),
    price_source: orNull(r.price_source),
    agent: r.agent_id === '' ? null : { id: r.agent_id, name: r.agent_name, role: r.agent_role, parent_id: orNull(r.agent_parent_id) },
    user_id: orNull(r.user_id),
    session_id: orNull(r.session_id),
    tags: r.tags,
    input: orNull(r.input),
    output: orNull(r.output),
    input_truncated: r.input_truncated,
    output_truncated: r.output_truncated,
    attributes: Object.fromEntries(Object.entries(r.attributes).map(([k, v]) => [k, parseAttribute(v)])),
    pii_detected: r.pii_detected,
    pii_types: r.pii_types,
    injection_attempt: r.injection_attempt,
    sampled: r.sampled,
    source: r.source,
    ingested_at: microsToIso(clickHouseToMicros(r.ingested_at)),
  }
}

function parseAttribute(text: string): AttributeValue {
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : text
  } catch {
    return text
  }
}
