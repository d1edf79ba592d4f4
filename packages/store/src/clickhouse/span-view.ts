import { clickHouseToMicros, microsToIso, SpanView, type AttributeValue } from '@tollgate/core'
import type { SpanRow } from './spans.js'

const orNull = (s: string): string | null => (s === '' ? null : s)

/** Stored row → the span as the query API serves it (absent strings are stored as ''). */
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
    cost:
      r.cost_status === 'unknown'
        ? null
        : { input_usd: r.cost_input_usd, output_usd: r.cost_output_usd, total_usd: r.cost_total_usd },
    cost_status: SpanView.shape.cost_status.parse(r.cost_status),
    price_source: orNull(r.price_source),
    agent:
      r.agent_id === ''
        ? null
        : { id: r.agent_id, name: r.agent_name, role: r.agent_role, parent_id: orNull(r.agent_parent_id) },
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
