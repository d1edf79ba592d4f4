import type { SpanKind } from '../span.js'
import { providerId } from '../providers.js'

/**
 * ATP spans, as posted by the agentwatch (AeneasSoft) Python SDK, one per request
 * (docs/architecture.md, the flow of one span, step 4). They are mapped onto wire v1 and then normalised like any
 * native span. Nulls where that SDK emits them (input, output, model_name) are accepted.
 */
export function isAtpSpan(raw: unknown): raw is Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false
  const r = raw as Record<string, unknown>
  // start_time_unix_nano is required in ATP and absent from wire v1; a flat agent_id alone is not
  // enough (a native producer may send one, and would lose its start_time/end_time).
  return 'start_time_unix_nano' in r || ('model_inference' in r && !('start_time' in r))
}

const ATP_FIELDS = new Set([
  'trace_id',
  'span_id',
  'parent_span_id',
  'name',
  'kind',
  'start_time_unix_nano',
  'end_time_unix_nano',
  'status',
  'agent_id',
  'agent_name',
  'agent_role',
  'input',
  'output',
  'model_inference',
  'attributes',
])
// Structured ATP fields without a wire v1 counterpart, kept as JSON text under `atp.<field>`.
const ATP_EXTRAS = ['decision_reasoning', 'tool_calls', 'cost_attribution', 'compliance_flags', 'links', 'events']

export function atpToWire(r: Record<string, unknown>): Record<string, unknown> {
  const inference = isRecord(r.model_inference) ? r.model_inference : null
  const attributes: Record<string, unknown> = isRecord(r.attributes) ? { ...r.attributes } : {}
  if (typeof r.kind === 'string') attributes['atp.kind'] = r.kind
  if (inference?.latency_ms !== undefined && inference.latency_ms !== null)
    attributes['atp.latency_ms'] = inference.latency_ms
  for (const key of ATP_EXTRAS) {
    if (r[key] !== undefined && r[key] !== null) attributes[`atp.${key}`] = r[key]
  }
  const wire: Record<string, unknown> = {
    trace_id: r.trace_id,
    span_id: r.span_id,
    parent_span_id: r.parent_span_id,
    name: r.name,
    kind: atpKind(r, inference !== null),
    start_time: r.start_time_unix_nano,
    end_time: r.end_time_unix_nano,
    status: r.status,
    input: r.input,
    output: r.output,
    attributes,
  }
  if (r.agent_id || r.agent_name) {
    wire.agent = { id: str(r.agent_id), name: str(r.agent_name), role: str(r.agent_role) }
  }
  if (inference) {
    wire.provider = providerId(str(inference.provider) ?? '')
    wire.model = str(inference.model_name) ?? ''
    wire.operation = 'chat'
    wire.usage = { input_tokens: inference.prompt_tokens ?? 0, output_tokens: inference.completion_tokens ?? 0 }
  }
  // Anything else the producer sent is kept as it came (the native normaliser moves it to attributes).
  for (const [k, v] of Object.entries(r)) {
    if (!ATP_FIELDS.has(k) && !ATP_EXTRAS.includes(k) && wire[k] === undefined) wire[k] = v
  }
  return wire
}

function atpKind(r: Record<string, unknown>, hasInference: boolean): SpanKind {
  if (hasInference) return 'llm'
  const attrs = isRecord(r.attributes) ? r.attributes : {}
  if ('cb.event' in attrs) return 'other'
  if (r.kind === 'CLIENT') return 'http'
  // trace() roots are SERVER spans, span() children INTERNAL: both stand for an agent's step.
  return 'agent'
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
