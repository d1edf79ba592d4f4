import { currentContext } from './context.js'
import type { TraceParent } from './ids.js'
import { formatTraceparent, parseTraceparent } from './ids.js'

/** Headers as Node, fetch and most frameworks hold them. */
export type HeaderCarrier = Headers | Record<string, string | string[] | undefined>

/** Which headers {@link inject} writes. */
export type PropagationFormat = 'w3c' | 'b3' | 'both'

/** A trace continued from another service: pass `traceparent` to `trace()`. */
export interface RemoteContext extends TraceParent {
  /** The same context as a normalised W3C header, for `trace(name, fn, { traceparent })`. */
  traceparent: string
}

const HEX = /^[0-9a-f]+$/
const ZERO = /^0+$/

function read(headers: HeaderCarrier, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue
    const v = headers[key]
    return Array.isArray(v) ? v[0] : v
  }
  return undefined
}

function write(headers: HeaderCarrier, name: string, value: string): void {
  if (headers instanceof Headers) headers.set(name, value)
  else headers[name] = value
}

/**
 * B3 single header: `{traceId}-{spanId}[-{sampled}[-{parentSpanId}]]`, or a bare sampling
 * decision (`0`, `1`, `d`) that carries no context. 64-bit trace ids are left-padded (B3 spec).
 */
export function parseB3(header: string | undefined): TraceParent | undefined {
  if (!header) return undefined
  const [traceRaw, spanId, flag] = header.trim().toLowerCase().split('-')
  if (!traceRaw || !spanId) return undefined
  if ((traceRaw.length !== 16 && traceRaw.length !== 32) || !HEX.test(traceRaw) || ZERO.test(traceRaw)) return undefined
  if (spanId.length !== 16 || !HEX.test(spanId) || ZERO.test(spanId)) return undefined
  return { traceId: traceRaw.padStart(32, '0'), parentSpanId: spanId, sampled: flag !== '0' }
}

/**
 * Writes the current span's context into outgoing headers, so the service you call continues
 * the same trace (SynapseKit's `DistributedTracer.inject`). W3C `traceparent` by default, B3
 * single header (`b3`) on request. Does nothing outside a trace. Returns `headers`.
 *
 * @example
 * await trace('checkout', async () => {
 *   await fetch('http://billing/charge', { method: 'POST', headers: inject({ 'content-type': 'application/json' }), body })
 * })
 */
export function inject<H extends HeaderCarrier>(headers: H, format: PropagationFormat = 'w3c'): H {
  const ctx = currentContext()
  if (!ctx) return headers
  if (format !== 'b3') write(headers, 'traceparent', formatTraceparent(ctx.traceId, ctx.spanId))
  if (format !== 'w3c') write(headers, 'b3', `${ctx.traceId}-${ctx.spanId}-1`)
  return headers
}

/**
 * Reads a propagated context from incoming headers: W3C `traceparent` first, then B3 single
 * header. Undefined when neither holds a valid context.
 *
 * @example
 * app.post('/charge', (req, res) =>
 *   trace('charge', () => handle(req), { traceparent: extract(req.headers)?.traceparent }))
 */
export function extract(headers: HeaderCarrier): RemoteContext | undefined {
  const found = parseTraceparent(read(headers, 'traceparent')) ?? parseB3(read(headers, 'b3'))
  if (!found) return undefined
  return { ...found, traceparent: formatTraceparent(found.traceId, found.parentSpanId, found.sampled) }
}
