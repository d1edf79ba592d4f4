import { randomFillSync } from 'node:crypto'

// One random refill per 256 ids keeps id generation off the hot path's syscall budget.
const POOL = Buffer.alloc(4096)
let offset = POOL.length

function randomHex(bytes: number): string {
  if (offset + bytes > POOL.length) {
    randomFillSync(POOL)
    offset = 0
  }
  const hex = POOL.toString('hex', offset, offset + bytes)
  offset += bytes
  return hex
}

const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

/** 32 lowercase hex chars, never all zeros (W3C). */
export function newTraceId(): string {
  const id = randomHex(16)
  return id === ZERO_TRACE ? newTraceId() : id
}

/** 16 lowercase hex chars, never all zeros (W3C). */
export function newSpanId(): string {
  const id = randomHex(8)
  return id === ZERO_SPAN ? newSpanId() : id
}

export interface TraceParent {
  traceId: string
  parentSpanId: string
  sampled: boolean
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/

/**
 * Parses a W3C `traceparent` header. Returns undefined for anything malformed, for the
 * forbidden version `ff` and for all-zero ids, as the spec requires.
 */
export function parseTraceparent(header: string | null | undefined): TraceParent | undefined {
  if (typeof header !== 'string') return undefined
  const m = TRACEPARENT.exec(header.trim().toLowerCase())
  if (!m) return undefined
  const [, version, traceId, spanId, flags] = m
  if (version === undefined || traceId === undefined || spanId === undefined || flags === undefined) return undefined
  if (version === 'ff' || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined
  // Version 00 has exactly four fields; later versions may append more.
  if (version === '00' && header.trim().length !== 55) return undefined
  return { traceId, parentSpanId: spanId, sampled: (parseInt(flags, 16) & 1) === 1 }
}

export function formatTraceparent(traceId: string, spanId: string, sampled = true): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`
}
