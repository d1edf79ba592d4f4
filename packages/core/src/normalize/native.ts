import { newSpanId, newTraceId, normalizeHexId } from '../ids.js'
import { providerId } from '../providers.js'
import { DEFAULT_SPAN_LIMITS } from '../span.js'
import type {
  AgentRef,
  AttributeValue,
  Cost,
  Span,
  SpanKind,
  SpanLimits,
  SpanSource,
  SpanStatus,
  Usage,
} from '../span.js'
import { toEpochMicros } from '../time.js'
import { MAX_JSON_DEPTH, attributeValue, nestsDeeperThan, textOf, truncateUtf8 } from './text.js'
import { KNOWN_KINDS, WireSpan, describeZodError } from './wire.js'

export type NormalizeResult = { ok: true; span: Span } | { ok: false; error: string }

const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(WireSpan.shape))
const MAX_ERROR_BYTES = 4096

/** Validates one native (wire v1) span and turns it into the canonical {@link Span}. */
export function normalizeNative(
  raw: unknown,
  limits: SpanLimits,
  source: SpanSource = 'native',
  nowUs = Date.now() * 1000,
): NormalizeResult {
  const parsed = WireSpan.safeParse(raw)
  if (!parsed.success) return { ok: false, error: describeZodError(parsed.error) }
  const w = parsed.data

  const traceId = w.trace_id ? normalizeHexId(w.trace_id, 32) : newTraceId()
  if (!traceId) return { ok: false, error: 'trace_id: expected 32 hex digits, not all zero' }
  const spanId = w.span_id ? normalizeHexId(w.span_id, 16) : newSpanId()
  if (!spanId) return { ok: false, error: 'span_id: expected 16 hex digits, not all zero' }
  const parentId = w.parent_span_id ? normalizeHexId(w.parent_span_id, 16) : null
  if (w.parent_span_id && !parentId) return { ok: false, error: 'parent_span_id: expected 16 hex digits' }

  const start = w.start_time === undefined || w.start_time === null ? nowUs : toEpochMicros(w.start_time)
  if (start === null) return { ok: false, error: 'start_time: expected RFC 3339 or epoch s/ms/µs/ns' }
  const end = w.end_time === undefined || w.end_time === null ? start : toEpochMicros(w.end_time)
  if (end === null) return { ok: false, error: 'end_time: expected RFC 3339 or epoch s/ms/µs/ns' }
  if (end < start) return { ok: false, error: 'end_time: before start_time' }

  const deep = firstDeepField(w)
  if (deep) return { ok: false, error: `${deep}: nested deeper than ${MAX_JSON_DEPTH} levels` }

  const usage = toUsage(w.usage)
  if (typeof usage === 'string') return { ok: false, error: usage }

  const attributes: Record<string, AttributeValue> = {}
  for (const [k, v] of Object.entries(w.attributes ?? {})) {
    const value = attributeValue(v)
    if (value !== undefined) attributes[k] = value
  }
  // Unknown top-level fields are kept, never silently dropped.
  for (const [k, v] of Object.entries(w)) {
    if (KNOWN_FIELDS.has(k) || k in attributes) continue
    const value = attributeValue(v)
    if (value !== undefined) attributes[k] = value
  }
  if (w.span_id && w.span_id.replace(/-/g, '').length > 16) attributes.original_span_id = w.span_id
  if (Object.keys(attributes).length > limits.maxAttributes) {
    return { ok: false, error: `attributes: more than ${limits.maxAttributes} keys` }
  }
  const cut = truncateAttributeValues(
    attributes,
    limits.maxAttributeValueBytes ?? DEFAULT_SPAN_LIMITS.maxAttributeValueBytes,
  )
  if (cut.length > 0) attributes[TRUNCATED_ATTRIBUTES] = cut.join(',')

  const tags = toTags(w.tags, limits)
  if (typeof tags === 'string') return { ok: false, error: tags }

  const input = truncateUtf8(textOf(w.input) ?? '', limits.maxTextBytes)
  const output = truncateUtf8(textOf(w.output) ?? '', limits.maxTextBytes)
  const provider = providerId(w.provider ?? '')
  const model = (w.model ?? '').trim()
  const operation = (w.operation ?? '').trim().toLowerCase()
  const { status, message } = toStatus(w.status)

  return {
    ok: true,
    span: {
      trace_id: traceId,
      span_id: spanId,
      parent_span_id: parentId,
      name: w.name?.trim() || [provider, operation].filter(Boolean).join('.') || 'span',
      kind: toKind(w.kind, model !== '' || provider !== ''),
      start_us: start,
      end_us: end,
      status,
      error_message: truncateUtf8(w.error_message ?? message ?? '', MAX_ERROR_BYTES).text || null,
      provider,
      model,
      response_model: (w.response_model ?? '').trim(),
      operation,
      stream: w.stream ?? false,
      ttft_ms: w.ttft_ms ?? null,
      usage,
      cost: toCost(w.cost),
      agent: toAgent(w.agent),
      user_id: w.user_id || null,
      session_id: w.session_id || null,
      tags,
      input: w.input === null || w.input === undefined ? null : input.text,
      output: w.output === null || w.output === undefined ? null : output.text,
      input_truncated: input.truncated,
      output_truncated: output.truncated,
      attributes,
      source,
    },
  }
}

/** Lists the attribute keys whose values were cut at `maxAttributeValueBytes` (comma-separated). */
const TRUNCATED_ATTRIBUTES = 'tollgate.truncated_attributes'

/** Cuts string values longer than `maxBytes` at a character boundary, in place; returns the keys cut. */
function truncateAttributeValues(attributes: Record<string, AttributeValue>, maxBytes: number): string[] {
  const cut: string[] = []
  for (const [k, v] of Object.entries(attributes)) {
    if (typeof v !== 'string' || v.length * 3 <= maxBytes) continue
    const t = truncateUtf8(v, maxBytes)
    if (t.truncated) {
      attributes[k] = t.text
      cut.push(k)
    }
  }
  return cut
}

/** Tags as strings, or why the span is refused: too many, or a value too long to be a filter. */
function toTags(tags: WireSpan['tags'], limits: SpanLimits): Record<string, string> | string {
  if (!tags) return {}
  const maxTags = limits.maxTags ?? DEFAULT_SPAN_LIMITS.maxTags
  const maxBytes = limits.maxTagValueBytes ?? DEFAULT_SPAN_LIMITS.maxTagValueBytes
  const entries = Object.entries(tags)
  if (entries.length > maxTags) return `tags: more than ${maxTags} keys`
  const out: Array<[string, string]> = []
  for (const [k, v] of entries) {
    const value = String(v)
    if (value.length * 3 > maxBytes && Buffer.byteLength(value) > maxBytes)
      return `tags.${k}: longer than ${maxBytes} bytes`
    out.push([k, value])
  }
  // fromEntries defines own properties: a tag named __proto__ stays a tag.
  return Object.fromEntries(out)
}

function toKind(kind: string | null | undefined, looksLikeLlm: boolean): SpanKind {
  const k = (kind ?? '').toLowerCase()
  if (KNOWN_KINDS.has(k)) return k as SpanKind
  if (k === '' && looksLikeLlm) return 'llm'
  return 'other'
}

function toStatus(status: WireSpan['status']): { status: SpanStatus; message: string | null } {
  if (status === null || status === undefined) return { status: 'unset', message: null }
  const code = typeof status === 'object' ? status.code : status
  const message = typeof status === 'object' ? (status.message ?? null) : null
  const text = String(code)
    .toLowerCase()
    .replace(/^status_code_/, '')
  // OTLP numeric codes: 0 unset, 1 ok, 2 error.
  if (text === 'ok' || text === '1' || text === 'success') return { status: 'ok', message }
  if (text === 'error' || text === '2') return { status: 'error', message }
  return { status: 'unset', message }
}

function toUsage(u: WireSpan['usage']): Usage | string {
  const input = u?.input_tokens ?? u?.prompt_tokens ?? 0
  const output = u?.output_tokens ?? u?.completion_tokens ?? 0
  const cacheRead = u?.cache_read_tokens ?? 0
  const cacheWrite = u?.cache_write_tokens ?? 0
  const reasoning = u?.reasoning_tokens ?? 0
  if (cacheRead + cacheWrite > input)
    return 'usage: cache_read_tokens + cache_write_tokens exceed input_tokens (input_tokens counts all input, cached included)'
  if (reasoning > output) return 'usage: reasoning_tokens exceed output_tokens (output_tokens includes reasoning)'
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: u?.total_tokens ?? input + output,
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
    reasoning_tokens: reasoning,
  }
}

function toCost(c: WireSpan['cost']): Cost | null {
  if (!c) return null
  const input = c.input_usd ?? 0
  const output = c.output_usd ?? 0
  if (c.input_usd == null && c.output_usd == null && c.total_usd == null) return null
  return { input_usd: input, output_usd: output, total_usd: c.total_usd ?? input + output }
}

function toAgent(a: WireSpan['agent']): AgentRef | null {
  if (!a || !(a.id || a.name)) return null
  const name = a.name ?? a.id ?? ''
  return {
    id: a.id || name.toLowerCase().replace(/\s+/g, '-'),
    name,
    role: a.role ?? '',
    parent_id: a.parent_id || null,
  }
}

/** The first field whose value would be stringified and nests too deep, as a path; null if none. */
function firstDeepField(w: WireSpan): string | null {
  for (const [k, v] of Object.entries(w)) {
    if (k === 'attributes' && v && typeof v === 'object') {
      for (const [ak, av] of Object.entries(v as Record<string, unknown>)) {
        if (nestsDeeperThan(av, MAX_JSON_DEPTH)) return `attributes.${ak}`
      }
    } else if (nestsDeeperThan(v, MAX_JSON_DEPTH)) {
      return k
    }
  }
  return null
}
