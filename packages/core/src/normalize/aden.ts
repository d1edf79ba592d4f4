import type { SpanLimits } from '../span.js'
import { toEpochMicros } from '../time.js'
import { count } from './genai.js'
import { normalizeNative, type NormalizeResult } from './native.js'
import { MAX_JSON_DEPTH, nestsDeeperThan } from './text.js'

/**
 * aden (`aden-py`) control-plane events, as its SDK posts them to `POST /v1/control/events`
 * (`{ events: [...] }`, every dataclass key present, `None` as null).
 *
 * A `metric` event (`{ event_type: "metric", data: MetricEvent, ... }`) is one LLM call → one span:
 * UUID ids → hex, `timestamp` is when the call finished (`latency_ms` before it), `agent_name` → agent,
 * `metadata` → tags (`tenant_id`, `customer_id`, `feature`, `context_id`, …), `cached_tokens` → cache
 * reads, a provider-reported `total_cost` kept as reported (else Tollgate prices the call).
 * Control, heartbeat and error events are no spans: {@link adenEventType} lets the door route them.
 */
type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined)

export function adenEventType(raw: unknown): string {
  return isObj(raw) && typeof raw.event_type === 'string' ? raw.event_type : 'unknown'
}

// MetricEvent keys mapped onto canonical fields; the rest is kept under `aden.<field>`.
const MAPPED = new Set([
  'trace_id',
  'span_id',
  'parent_span_id',
  'provider',
  'model',
  'stream',
  'timestamp',
  'latency_ms',
  'error',
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'cached_tokens',
  'reasoning_tokens',
  'input_cost',
  'output_cost',
  'total_cost',
  'agent_name',
  'metadata',
  'content_capture',
])

export function normalizeAdenMetric(raw: unknown, limits: SpanLimits, nowUs?: number): NormalizeResult {
  if (!isObj(raw) || !isObj(raw.data)) return { ok: false, error: 'data: expected a MetricEvent object' }
  const d = raw.data
  const endUs = d.timestamp === undefined || d.timestamp === null ? undefined : toEpochMicros(d.timestamp)
  if (endUs === null) return { ok: false, error: 'data.timestamp: expected an ISO-8601 date-time' }
  const latencyUs = Math.round((num(d.latency_ms) ?? 0) * 1000)
  const end = endUs ?? nowUs ?? Date.now() * 1000
  const start = Math.max(0, end - latencyUs)

  let input = count(d.input_tokens) ?? 0
  const cached = count(d.cached_tokens) ?? 0
  // Some providers (Anthropic) count cache reads apart from input; Tollgate's input includes them.
  if (cached > input) input += cached
  const output = count(d.output_tokens) ?? 0
  const reasoning = Math.min(count(d.reasoning_tokens) ?? 0, output)

  const tags: Record<string, string> = {}
  const metadata = isObj(d.metadata) ? d.metadata : {}
  for (const [k, v] of Object.entries(metadata)) {
    if (v === null || v === undefined) continue
    // JSON.stringify recurses: a hostile depth would overflow the stack.
    if (nestsDeeperThan(v, MAX_JSON_DEPTH))
      return { ok: false, error: `metadata.${k}: nested deeper than ${MAX_JSON_DEPTH} levels` }
    tags[k] = typeof v === 'object' ? JSON.stringify(v) : String(v)
  }

  const attributes: Obj = {}
  for (const [k, v] of Object.entries(d))
    if (!MAPPED.has(k) && v !== null && v !== undefined) attributes[`aden.${k}`] = v
  if (str(raw.sdk_instance_id)) attributes['aden.sdk_instance_id'] = raw.sdk_instance_id
  if (num(d.latency_ms) !== undefined) attributes['aden.latency_ms'] = d.latency_ms

  // aden's agent budgets match `metadata.agent`: the span's agent when the SDK named none.
  const agentName = str(d.agent_name) ?? str(raw.agent_name) ?? str(metadata.agent)
  const totalCost = num(d.total_cost)
  const error = str(d.error)
  const provider = str(d.provider)
  const capture = isObj(d.content_capture) ? d.content_capture : undefined
  return normalizeNative(
    {
      trace_id: d.trace_id ?? null,
      span_id: d.span_id ?? null,
      parent_span_id: d.parent_span_id ?? null,
      name: `${provider ?? 'llm'}.chat`,
      kind: 'llm',
      start_time: start,
      end_time: end,
      status: error ? 'error' : 'ok',
      error_message: error ?? null,
      provider,
      model: str(d.model),
      operation: 'chat',
      stream: d.stream === true,
      usage: {
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: Math.min(cached, input),
        reasoning_tokens: reasoning,
      },
      cost:
        totalCost !== undefined
          ? { total_usd: totalCost, input_usd: num(d.input_cost) ?? null, output_usd: num(d.output_cost) ?? null }
          : null,
      agent: agentName ? { name: agentName } : null,
      user_id: str(metadata.user_id) ?? null,
      session_id: str(metadata.session_id) ?? null,
      tags,
      input: capture?.messages ?? null,
      output: capture?.response_content ?? null,
      attributes,
    },
    limits,
    'aden',
    nowUs,
  )
}
