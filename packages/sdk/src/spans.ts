import type { TraceContext } from './context.js'
import { currentContext } from './context.js'
import { newSpanId, newTraceId } from './ids.js'
import type { CallRecord } from './instrument/capture.js'
import { MAX_CAPTURE_CHARS } from './instrument/response.js'
import type { AgentRef, AttributeValue, Span, SpanKind, SpanStatus } from './types.js'
import { applyContext, runtimeContext } from './user-context.js'

const KINDS: readonly string[] = ['llm', 'embedding', 'tool', 'retrieval', 'agent', 'chain', 'http', 'other']
const STATUSES: readonly string[] = ['ok', 'error', 'unset']
const HEX32 = /^[0-9a-f]{32}$/
const HEX16 = /^[0-9a-f]{16}$/

let isoSecond = NaN
let isoPrefix = ''

/** RFC 3339 with microseconds from epoch milliseconds (fractional allowed). */
export function isoMicro(epochMs: number): string {
  const second = Math.floor(epochMs / 1000)
  // Date#toISOString costs ~1 µs; spans of one second share its prefix.
  if (second !== isoSecond) {
    isoSecond = second
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 19)
  }
  const micros = Math.min(999_999, Math.round((epochMs - second * 1000) * 1000))
  return `${isoPrefix}.${String(micros).padStart(6, '0')}Z`
}

/** Deterministic per trace: every process keeps or drops the same traces, so traces stay whole. */
export function keepTrace(traceId: string, rate: number): boolean {
  if (rate >= 1) return true
  if (rate <= 0) return false
  const n = parseInt(traceId.slice(-8), 16)
  return Number.isFinite(n) && n / 0x1_0000_0000 < rate
}

/** The agent a span belongs to: the innermost one, with its parent agent. */
export function agentOf(ctx: TraceContext | undefined): AgentRef | null {
  const agents = ctx?.agents ?? []
  const inner = agents[agents.length - 1]
  if (!inner) return null
  const outer = agents[agents.length - 2]
  return { id: inner.id, name: inner.name, role: inner.role ?? null, parent_id: outer?.id ?? null }
}

/** Bounded content: small values stay JSON, big ones become a truncated string (flagged). */
export function capContent(
  value: unknown,
  sizeHint: number | undefined,
  attributes: Record<string, AttributeValue>,
  key: string,
): unknown {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') {
    if (value.length <= MAX_CAPTURE_CHARS) return value
    attributes[`${key}_truncated`] = true
    return value.slice(0, MAX_CAPTURE_CHARS)
  }
  if (sizeHint !== undefined && sizeHint <= MAX_CAPTURE_CHARS) return value
  let text: string
  try {
    text = JSON.stringify(value)
  } catch {
    return undefined
  }
  if (text.length <= MAX_CAPTURE_CHARS) return value
  attributes[`${key}_truncated`] = true
  return text.slice(0, MAX_CAPTURE_CHARS)
}

function cleanAttributes(v: unknown): Record<string, AttributeValue> | undefined {
  if (!v || typeof v !== 'object') return undefined
  const out: Record<string, AttributeValue> = {}
  for (const k in v) {
    const val: unknown = Reflect.get(v, k)
    if (typeof val === 'string' || typeof val === 'boolean' || (typeof val === 'number' && Number.isFinite(val)))
      out[k] = val
    else if (val !== undefined && val !== null) out[k] = String(val)
  }
  return out
}

function cleanTags(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== 'object') return undefined
  const out: Record<string, string> = {}
  for (const k in v) {
    const val: unknown = Reflect.get(v, k)
    if (val !== undefined && val !== null) out[k] = String(val)
  }
  return out
}

/**
 * Completes a span given to report(): ids and times filled from the current context, enums
 * checked, and nothing thrown for odd input (the server validates the rest).
 */
export function completeReported(partial: Partial<Span>, now = Date.now()): Span {
  const ctx = currentContext()
  const traceId =
    typeof partial.trace_id === 'string' && HEX32.test(partial.trace_id)
      ? partial.trace_id
      : (ctx?.traceId ?? newTraceId())
  const parent =
    partial.parent_span_id !== undefined ? partial.parent_span_id : ctx && traceId === ctx.traceId ? ctx.spanId : null
  // A fresh literal plus a copy loop: V8 adds properties to a spread clone on its slow path
  // (~0.5 µs each), which made report() cost microseconds.
  const span: Span = {
    trace_id: traceId,
    span_id: typeof partial.span_id === 'string' && HEX16.test(partial.span_id) ? partial.span_id : newSpanId(),
    parent_span_id: parent,
    name: typeof partial.name === 'string' && partial.name ? partial.name.slice(0, 256) : 'span',
    kind: (KINDS.includes(String(partial.kind)) ? partial.kind : 'other') as SpanKind,
    start_time: partial.start_time ?? partial.end_time ?? now,
    end_time: partial.end_time ?? now,
    status: (STATUSES.includes(String(partial.status))
      ? partial.status
      : partial.error_message
        ? 'error'
        : 'unset') as SpanStatus,
  }
  for (const key in partial) {
    if (!(key in span)) Reflect.set(span, key, Reflect.get(partial, key))
  }
  const attributes = cleanAttributes(partial.attributes)
  if (attributes) span.attributes = attributes
  const tags = cleanTags(partial.tags)
  if (tags || ctx?.tags) span.tags = Object.assign({}, ctx?.tags, tags)
  if (partial.agent === undefined) {
    const agent = agentOf(ctx)
    if (agent) span.agent = agent
  }
  if (partial.user_id === undefined && ctx?.userId) span.user_id = ctx.userId
  if (partial.session_id === undefined && ctx?.sessionId) span.session_id = ctx.sessionId
  applyContext(span, runtimeContext())
  return span
}

/** The span of an intercepted LLM call. */
export function llmSpan(record: CallRecord, captureContent: boolean): Span {
  const x = record.extracted
  const d = record.detected
  const ctx = record.ctx
  // Fresh object, then copies: adding keys to a spread clone is V8's slow path.
  const attributes: Record<string, AttributeValue> = {}
  for (const k in record.attributes) attributes[k] = record.attributes[k] ?? ''
  if (record.status !== undefined) attributes.http_status = record.status
  if (record.requestId) attributes.request_id = record.requestId
  if (x.responseId) attributes.response_id = x.responseId
  if (x.finishReason) attributes.finish_reason = x.finishReason
  if (record.retryCount) attributes.retry_count = record.retryCount
  if (record.aborted) attributes.aborted = true
  if (record.abandoned) attributes.incomplete = true
  if (d.host) attributes['server.address'] = d.host
  if (x.toolCalls.length) {
    attributes.tool_call_count = x.toolCalls.length
    attributes.tool_names = x.toolCalls.map((t) => t.name).join(',')
  }
  const model = record.request.model ?? x.responseModel
  const isError = record.error !== undefined
  if (!x.usage && !isError && d.operation !== 'images' && d.operation !== 'audio' && d.operation !== 'moderations') {
    attributes.usage_missing = true
  }
  const start = record.startWall
  const end = start + record.durationMs
  const span: Span = {
    trace_id: ctx?.traceId ?? newTraceId(),
    span_id: record.spanId,
    parent_span_id: ctx?.spanId ?? ctx?.remoteParentId ?? null,
    name: `${d.provider}.${d.operation}`,
    kind: d.operation === 'embeddings' ? 'embedding' : 'llm',
    start_time: isoMicro(start),
    end_time: isoMicro(end),
    status: isError ? 'error' : record.abandoned ? 'unset' : 'ok',
    error_message: record.error ?? null,
    provider: d.provider,
    operation: d.operation,
    stream: record.request.stream || record.mode !== 'json',
    ttft_ms: record.ttftMs === undefined ? null : Math.round(record.ttftMs * 1000) / 1000,
    attributes,
  }
  if (model) span.model = model
  if (x.responseModel && x.responseModel !== model) span.response_model = x.responseModel
  if (x.usage) span.usage = x.usage
  const agent = agentOf(ctx)
  if (agent) span.agent = agent
  if (ctx?.userId) span.user_id = ctx.userId
  if (ctx?.sessionId) span.session_id = ctx.sessionId
  if (ctx && Object.keys(ctx.tags).length) span.tags = { ...ctx.tags }
  if (captureContent) {
    const input = capContent(record.request.input, record.request.bodyBytes, attributes, 'input')
    if (input !== undefined) span.input = input
    const output = x.toolCalls.length ? { content: x.text || null, tool_calls: x.toolCalls } : x.text || undefined
    const capped = capContent(output, undefined, attributes, 'output')
    if (capped !== undefined) span.output = capped
  }
  applyContext(span, record.user)
  return span
}
