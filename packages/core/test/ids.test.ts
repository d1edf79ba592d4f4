import { describe, expect, it } from 'vitest'
import { SPAN_ID_RE, TRACE_ID_RE, newSpanId, newTraceId, normalizeHexId } from '@tollgate/core'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

describe('normalizeHexId', () => {
  it.each<[string, string, 16 | 32, string | null]>([
    ['a trace id', TRACE, 32, TRACE],
    ['an upper-case trace id', TRACE.toUpperCase(), 32, TRACE],
    ['a trace id with surrounding spaces', `  ${TRACE}\n`, 32, TRACE],
    ['a UUID as trace id', '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', 32, TRACE],
    ['an upper-case UUID as trace id', '4BF92F35-77B3-4DA6-A3CE-929D0E0E4736', 32, TRACE],
    ['a span id', SPAN, 16, SPAN],
    ['an upper-case span id', SPAN.toUpperCase(), 16, SPAN],
    ['a UUID as span id (first 16 digits)', '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', 16, '4bf92f3577b34da6'],
    ['32 hex digits as span id (first 16)', TRACE, 16, '4bf92f3577b34da6'],
    ['a span id where a trace id is expected', SPAN, 32, null],
    ['31 hex digits', TRACE.slice(1), 32, null],
    ['33 hex digits', `${TRACE}0`, 32, null],
    ['15 hex digits', SPAN.slice(1), 16, null],
    ['17 hex digits', `${SPAN}0`, 16, null],
    ['a non-hex digit', `g${TRACE.slice(1)}`, 32, null],
    ['a 0x prefix', `0x${SPAN.slice(2)}`, 16, null],
    ['the empty string', '', 16, null],
    ['only dashes', '----', 16, null],
    ['inner spaces', `${SPAN.slice(0, 8)} ${SPAN.slice(8)}`, 16, null],
    ['an all-zero trace id (invalid in W3C)', '0'.repeat(32), 32, null],
    ['an all-zero span id (invalid in W3C)', '0'.repeat(16), 16, null],
  ])('%s', (_name, input, length, expected) => {
    expect(normalizeHexId(input, length)).toBe(expected)
  })
})

describe('newTraceId / newSpanId', () => {
  it('generate well-formed, distinct ids', () => {
    const traces = new Set(Array.from({ length: 100 }, newTraceId))
    const spans = new Set(Array.from({ length: 100 }, newSpanId))
    expect(traces.size).toBe(100)
    expect(spans.size).toBe(100)
    for (const id of traces) expect(id).toMatch(TRACE_ID_RE)
    for (const id of spans) expect(id).toMatch(SPAN_ID_RE)
  })
})
