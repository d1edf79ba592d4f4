import { ValidationError } from '../errors.js'
import type { SpanLimits } from '../span.js'
import { genaiFields, type Attrs } from './genai.js'
import { normalizeNative, type NormalizeResult } from './native.js'
import { MAX_JSON_DEPTH } from './text.js'

/**
 * OTLP traces (`ExportTraceServiceRequest`) in its JSON mapping, or as protobufjs decodes it (bytes as
 * Buffers, int64 as Long values, defaults on the prototype: only own fields count as set) — flattened into one item per
 * span and mapped onto wire v1, then normalised like any native span (source `otlp`).
 *
 * Ids: hex as the OTLP JSON encoding specifies, or base64 (the generic protobuf JSON mapping, and
 * what the protobuf decoder yields for bytes). Times: nanosecond integers as strings or numbers.
 */
export interface OtlpItem {
  span: Record<string, unknown>
  resource: Attrs
  scope: { name?: string; version?: string }
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
/** The JSON mapping's lowerCamelCase name, or the proto field name (parsers accept both). */
const field = (o: Obj, camel: string, snake: string): unknown => (o[camel] !== undefined ? o[camel] : o[snake])

/** Every span of a request with its resource attributes and scope; a body that is no request is a 400. */
export function otlpItems(body: unknown): OtlpItem[] {
  if (!isObj(body)) throw new ValidationError('', 'body must be an ExportTraceServiceRequest')
  const resourceSpans = field(body, 'resourceSpans', 'resource_spans') ?? []
  if (!Array.isArray(resourceSpans)) throw new ValidationError('resourceSpans', 'expected an array')
  const items: OtlpItem[] = []
  for (const rs of resourceSpans) {
    if (!isObj(rs)) continue
    const resourceRaw = rs.resource
    let resource: Attrs = {}
    try {
      if (isObj(resourceRaw)) resource = keyValues(resourceRaw.attributes)
    } catch (error) {
      if (error instanceof TooDeep)
        throw new ValidationError(`resource.attributes.${error.key}`, `nested deeper than ${MAX_JSON_DEPTH} levels`)
      throw error
    }
    const scopes = field(rs, 'scopeSpans', 'scope_spans') ?? field(rs, 'instrumentationLibrarySpans', '')
    for (const ss of arr(scopes)) {
      if (!isObj(ss)) continue
      const scopeRaw = ss.scope ?? field(ss, 'instrumentationLibrary', 'instrumentation_library')
      const scope = isObj(scopeRaw)
        ? { name: typeof scopeRaw.name === 'string' ? scopeRaw.name : undefined, version: strOf(scopeRaw.version) }
        : {}
      for (const span of arr(ss.spans)) if (isObj(span)) items.push({ span, resource, scope })
    }
  }
  return items
}

const strOf = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/**
 * A field that is set: own properties only, so a protobufjs message (whose prototype carries every
 * field's default) reads like the JSON mapping, where an absent field is absent.
 */
function own(o: Obj, camel: string, snake: string): unknown {
  if (Object.hasOwn(o, camel)) return o[camel]
  return Object.hasOwn(o, snake) ? o[snake] : undefined
}

/**
 * Array and kvlist values nest at most this deep while converted (the conversion recurses: a hostile
 * 20,000 levels overflowed the stack). Twice the native limit, so whatever passes is refused by the
 * native normaliser with its path when it nests deeper than MAX_JSON_DEPTH.
 */
const MAX_ANY_VALUE_DEPTH = 2 * MAX_JSON_DEPTH

/** Thrown past MAX_ANY_VALUE_DEPTH; `key` is the top-level attribute it came from. */
class TooDeep extends Error {
  key = ''
}

/** An OTLP `AnyValue` as a plain JS value (int64 stays a string beyond 2^53). */
export function anyValue(v: unknown, depth = 0): unknown {
  if (!isObj(v)) return v
  const str = own(v, 'stringValue', 'string_value')
  if (str !== undefined) return str
  const bool = own(v, 'boolValue', 'bool_value')
  if (bool !== undefined) return bool
  const int = own(v, 'intValue', 'int_value')
  if (int !== undefined && int !== null) {
    const big = isLong(int) ? longToBigInt(int) : undefined
    const n = big === undefined ? Number(int) : Number(big)
    return Number.isSafeInteger(n) ? n : String(big ?? int)
  }
  const dbl = own(v, 'doubleValue', 'double_value')
  if (dbl !== undefined && dbl !== null) return Number(dbl)
  const list = own(v, 'arrayValue', 'array_value')
  if (isObj(list)) {
    if (depth >= MAX_ANY_VALUE_DEPTH) throw new TooDeep()
    return arr(list.values).map((item) => anyValue(item, depth + 1))
  }
  const kv = own(v, 'kvlistValue', 'kvlist_value')
  if (isObj(kv)) {
    if (depth >= MAX_ANY_VALUE_DEPTH) throw new TooDeep()
    return keyValues(kv.values, depth + 1)
  }
  const bytes = own(v, 'bytesValue', 'bytes_value')
  if (bytes !== undefined && bytes !== null)
    return typeof bytes === 'string' ? bytes : Buffer.from(bytes as Uint8Array).toString('base64')
  return undefined
}

/** A `repeated KeyValue` as an object; later keys win. */
export function keyValues(list: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const kv of arr(list)) {
    if (!isObj(kv) || typeof kv.key !== 'string') continue
    let value: unknown
    try {
      value = anyValue(kv.value, depth)
    } catch (error) {
      if (error instanceof TooDeep && depth === 0) error.key = kv.key
      throw error
    }
    if (value !== undefined) out[kv.key] = value
  }
  return out
}

/** An id as hex: 2n hex digits, or base64 of n bytes (the protobuf mapping). Null when absent or empty. */
export function otlpId(v: unknown, bytes: 8 | 16): string | null | false {
  if (v === undefined || v === null || v === '') return null
  if (v instanceof Uint8Array) {
    if (v.length === 0) return null
    if (v.length !== bytes) return false
    return (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.length)).toString('hex')
  }
  if (typeof v !== 'string') return false
  if (v.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(v)) return v.toLowerCase()
  const buf = Buffer.from(v, 'base64')
  if (buf.length === bytes && buf.toString('base64').replace(/=+$/, '') === v.replace(/=+$/, '')) {
    return buf.toString('hex')
  }
  return false
}

/** A protobuf decoder's 64-bit value ({ low, high } halves, as protobufjs's Long). */
interface LongLike {
  low: number
  high: number
  unsigned?: boolean
}
const isLong = (v: unknown): v is LongLike =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as LongLike).low === 'number' &&
  typeof (v as LongLike).high === 'number'
const longToBigInt = (v: LongLike): bigint =>
  (v.unsigned ? BigInt(v.high >>> 0) : BigInt(v.high)) * 4294967296n + BigInt(v.low >>> 0)

/** Nanoseconds since the epoch (string, number, bigint or Long) as integer µs; null when unusable. */
function nanosToMicros(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v / 1000) : null
  if (typeof v === 'bigint') return v >= 0n ? Number(v / 1000n) : null
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return Number(BigInt(v) / 1000n)
  if (isLong(v)) {
    const ns = longToBigInt(v)
    return ns >= 0n ? Number(ns / 1000n) : null
  }
  return null
}

const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']

function otelKind(v: unknown): string {
  if (typeof v === 'number') return SPAN_KINDS[v] ?? 'unspecified'
  if (typeof v === 'string') return v.toLowerCase().replace(/^span_kind_/, '')
  return 'unspecified'
}

// Span attributes that become the prompt or completion are stored there (truncated), not twice.
const TEXT_KEYS = new Set([
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.prompt',
  'gen_ai.completion',
  'input.value',
  'output.value',
  'llm.prompt',
  'llm.completion',
  'llm.response',
])
// Per-message GenAI events (semconv 1.2x–1.3x): their content becomes the prompt or the completion.
const INPUT_EVENTS = new Set([
  'gen_ai.system.message',
  'gen_ai.user.message',
  'gen_ai.assistant.message',
  'gen_ai.tool.message',
])

/** One OTLP span (an item of {@link otlpItems}) → the canonical span. */
export function normalizeOtlpSpan(item: unknown, limits: SpanLimits, nowUs?: number): NormalizeResult {
  try {
    return otlpSpan(item, limits, nowUs)
  } catch (error) {
    if (error instanceof TooDeep)
      return { ok: false, error: `${error.key}: nested deeper than ${MAX_JSON_DEPTH} levels` }
    throw error
  }
}

/** Runs `fn`, naming where a value nested too deep: `<prefix>.<key>`. */
function within<T>(prefix: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof TooDeep) error.key = `${prefix}.${error.key}`
    throw error
  }
}

function otlpSpan(item: unknown, limits: SpanLimits, nowUs?: number): NormalizeResult {
  const { span: s, resource, scope } = item as OtlpItem
  const traceId = otlpId(own(s, 'traceId', 'trace_id'), 16)
  if (!traceId) return { ok: false, error: 'traceId: expected 16 bytes (32 hex digits or base64)' }
  const spanId = otlpId(own(s, 'spanId', 'span_id'), 8)
  if (!spanId) return { ok: false, error: 'spanId: expected 8 bytes (16 hex digits or base64)' }
  const parentId = otlpId(own(s, 'parentSpanId', 'parent_span_id'), 8)
  if (parentId === false) return { ok: false, error: 'parentSpanId: expected 8 bytes (16 hex digits or base64)' }
  const start = nanosToMicros(own(s, 'startTimeUnixNano', 'start_time_unix_nano'))
  if (start === null) return { ok: false, error: 'startTimeUnixNano: expected nanoseconds since the epoch' }
  const endRaw = own(s, 'endTimeUnixNano', 'end_time_unix_nano')
  const end = endRaw === undefined ? start : nanosToMicros(endRaw)
  if (end === null) return { ok: false, error: 'endTimeUnixNano: expected nanoseconds since the epoch' }

  const spanAttrs = within('attributes', () => keyValues(s.attributes))
  const g = genaiFields(spanAttrs)

  let errorMessage: string | undefined
  const inputEvents: unknown[] = []
  const outputEvents: unknown[] = []
  const eventNames: string[] = []
  for (const e of arr(s.events)) {
    if (!isObj(e) || typeof e.name !== 'string') continue
    eventNames.push(e.name)
    const ea = within(`events.${e.name}`, () => keyValues(e.attributes))
    if (e.name === 'exception') {
      const type = typeof ea['exception.type'] === 'string' ? ea['exception.type'] : ''
      const message = typeof ea['exception.message'] === 'string' ? ea['exception.message'] : ''
      errorMessage ??= [type, message].filter(Boolean).join(': ') || 'exception'
    } else if (e.name === 'gen_ai.content.prompt' && g.input === undefined) {
      g.input = ea['gen_ai.prompt']
    } else if (e.name === 'gen_ai.content.completion' && g.output === undefined) {
      g.output = ea['gen_ai.completion']
    } else if (e.name === 'gen_ai.client.inference.operation.details') {
      g.input ??= ea['gen_ai.input.messages']
      g.output ??= ea['gen_ai.output.messages']
    } else if (INPUT_EVENTS.has(e.name)) {
      inputEvents.push({ role: e.name.split('.')[1], ...ea })
    } else if (e.name === 'gen_ai.choice') {
      outputEvents.push(ea)
    }
  }
  if (g.input === undefined && inputEvents.length > 0) g.input = inputEvents
  if (g.output === undefined && outputEvents.length > 0) g.output = outputEvents

  const attributes: Record<string, unknown> = {}
  let kept = 0
  let dropped = 0
  // Room for the otel.* keys added below; past the limit the rest is counted, not refused.
  const room = Math.max(0, limits.maxAttributes - 8)
  const keep = (k: string, v: unknown): void => {
    if (kept < room) {
      attributes[k] = v
      kept++
    } else dropped++
  }
  for (const [k, v] of Object.entries(spanAttrs)) if (!TEXT_KEYS.has(k)) keep(k, v)
  for (const [k, v] of Object.entries(resource)) if (k !== 'service.name') keep(`resource.${k}`, v)
  attributes['otel.span_kind'] = otelKind(s.kind)
  if (scope.name) attributes['otel.scope.name'] = scope.name
  if (scope.version) attributes['otel.scope.version'] = scope.version
  if (eventNames.length > 0) attributes['otel.events'] = eventNames.join(',')
  const links = arr(s.links).flatMap((l) =>
    isObj(l)
      ? [{ trace_id: otlpId(own(l, 'traceId', 'trace_id'), 16), span_id: otlpId(own(l, 'spanId', 'span_id'), 8) }]
      : [],
  )
  if (links.length > 0) attributes['otel.links'] = links
  if (dropped > 0) attributes['otel.dropped_attributes'] = dropped

  const tags: Record<string, string> = {}
  const service = resource['service.name']
  if (typeof service === 'string' && service !== '') tags['service.name'] = service
  const environment = resource['deployment.environment.name'] ?? resource['deployment.environment']
  if (typeof environment === 'string' && environment !== '') tags.environment = environment

  const status = isObj(s.status) ? s.status : {}
  const kind = g.kind ?? ((spanAttrs['http.request.method'] ?? spanAttrs['http.method']) ? 'http' : 'other')
  return normalizeNative(
    {
      trace_id: traceId,
      span_id: spanId,
      parent_span_id: parentId,
      name: typeof s.name === 'string' ? s.name.slice(0, 256) : undefined,
      kind,
      start_time: start,
      end_time: end,
      status: { code: status.code ?? 0, message: typeof status.message === 'string' ? status.message : undefined },
      error_message: errorMessage ?? null,
      provider: g.provider,
      model: g.model,
      response_model: g.response_model,
      operation: g.operation,
      usage: g.usage,
      cost: g.cost,
      agent: g.agent,
      user_id: g.user_id,
      session_id: g.session_id,
      tags,
      input: g.input,
      output: g.output,
      attributes,
    },
    limits,
    'otlp',
    nowUs,
  )
}
