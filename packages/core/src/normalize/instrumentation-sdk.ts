import type { SpanLimits } from '../span.js'
import { toEpochMicros } from '../time.js'
import { count } from './genai.js'
import { normalizeNative, type NormalizeResult } from './native.js'

/**
 * instrumentation-sdk's `LLMSpan` JSON (`POST /v1/spans`, its REST contract; the package ships no HTTP
 * reporter, so whoever posts it sends `span.model_dump(mode="json")` or the in-process dict).
 *
 * - UUID ids → hex (the span id keeps its first 16 digits, the full value in `original_span_id`);
 *   a null `trace_id` gets a new one.
 * - `timestamp_utc` is when the call started; it ended `latency_ms_total` later.
 * - `cost_usd_micro` > 0 is a reported cost; 0 means the client did not compute one: Tollgate prices it.
 * - `pii_detected` / `injection_attempt` are the client's own verdicts, kept as `client.*` attributes
 *   beside Tollgate's scan (which sets the span's own flags).
 */
type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

// Mapped onto canonical fields; everything else the client sent is kept under `isdk.<field>`.
const MAPPED = new Set([
  'span_id',
  'trace_id',
  'parent_span_id',
  'model',
  'actual_model',
  'provider',
  'service_name',
  'endpoint',
  'environment',
  'user_id',
  'session_id',
  'prompt_tokens',
  'completion_tokens',
  'latency_ms_ttft',
  'latency_ms_total',
  'cost_usd_micro',
  'timestamp_utc',
  'pii_detected',
  'injection_attempt',
  'status',
  'prompt',
  'response_content',
  // 384 floats each: derived data, not worth a row's attributes.
  'prompt_embedding',
  'response_embedding',
])

export function normalizeInstrumentationSdkSpan(raw: unknown, limits: SpanLimits, nowUs?: number): NormalizeResult {
  if (!isObj(raw)) return { ok: false, error: 'expected an LLMSpan object' }
  const r = raw
  if (!str(r.span_id)) return { ok: false, error: 'span_id: required' }
  const start = r.timestamp_utc === undefined || r.timestamp_utc === null ? undefined : toEpochMicros(r.timestamp_utc)
  if (start === null) return { ok: false, error: 'timestamp_utc: expected an ISO-8601 date-time' }
  const latency = typeof r.latency_ms_total === 'number' && r.latency_ms_total >= 0 ? r.latency_ms_total : 0
  const startUs = start ?? (nowUs ?? Date.now() * 1000) - Math.round(latency * 1000)

  const attributes: Obj = {}
  for (const [k, v] of Object.entries(r))
    if (!MAPPED.has(k) && v !== null && v !== undefined) attributes[`isdk.${k}`] = v
  if (typeof r.pii_detected === 'boolean') attributes['client.pii_detected'] = r.pii_detected
  if (typeof r.injection_attempt === 'boolean') attributes['client.injection_attempt'] = r.injection_attempt

  const tags: Record<string, string> = {}
  if (str(r.service_name)) tags['service.name'] = r.service_name as string
  if (str(r.endpoint)) tags.endpoint = r.endpoint as string
  if (str(r.environment) && r.environment !== 'unspecified') tags.environment = r.environment as string

  const micro = typeof r.cost_usd_micro === 'number' ? r.cost_usd_micro : 0
  const model = str(r.model) ?? str(r.actual_model)
  const finish = str(r.finish_reason)
  const failed = r.status === 'error'
  return normalizeNative(
    {
      trace_id: r.trace_id ?? null,
      span_id: r.span_id,
      parent_span_id: r.parent_span_id ?? null,
      name: [str(r.provider), 'chat'].filter(Boolean).join('.') || 'llm',
      kind: 'llm',
      start_time: startUs,
      end_time: startUs + Math.round(latency * 1000),
      status: failed ? 'error' : finish || r.status === 'success' ? 'ok' : 'unset',
      provider: str(r.provider)?.replace(/^langchain:/, ''),
      model,
      response_model: str(r.actual_model),
      operation: 'chat',
      ttft_ms: typeof r.latency_ms_ttft === 'number' ? r.latency_ms_ttft : null,
      usage: { input_tokens: count(r.prompt_tokens) ?? 0, output_tokens: count(r.completion_tokens) ?? 0 },
      cost: micro > 0 ? { total_usd: micro / 1e6 } : null,
      user_id: str(r.user_id) ?? null,
      session_id: str(r.session_id) ?? null,
      tags,
      input: r.prompt ?? null,
      output: r.response_content ?? null,
      attributes,
    },
    limits,
    'instrumentation-sdk',
    nowUs,
  )
}
