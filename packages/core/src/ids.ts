import { randomBytes } from 'node:crypto'

export const TRACE_ID_RE = /^[0-9a-f]{32}$/
export const SPAN_ID_RE = /^[0-9a-f]{16}$/

export const newTraceId = (): string => randomBytes(16).toString('hex')
export const newSpanId = (): string => randomBytes(8).toString('hex')

/**
 * Accepts W3C ids in any case, and UUIDs (some SDKs send `uuid4()` strings) by dropping dashes.
 * A UUID used as a span id keeps its first 16 hex digits; the span normalizer keeps the full value
 * in `attributes.original_span_id`. All-zero ids are invalid (W3C): they would merge unrelated spans.
 */
export function normalizeHexId(value: string, length: 16 | 32): string | null {
  const hex = value.trim().toLowerCase().replace(/-/g, '')
  if (!/^[0-9a-f]+$/.test(hex) || /^0+$/.test(hex)) return null
  if (hex.length === length) return hex
  if (length === 16 && hex.length === 32) return hex.slice(0, 16)
  return null
}
