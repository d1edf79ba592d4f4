import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ids, ingest, span, startTestApp, type TestApp } from './harness.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

async function spansOf(traceId: string): Promise<Array<Record<string, unknown>>> {
  const res = await t.request(`/api/traces/${traceId}/spans`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { spans: Array<Record<string, unknown>> }).spans
}

describe('POST /api/ingest body forms', () => {
  it.each([
    ['one span', (s: Record<string, unknown>) => s],
    ['an array', (s: Record<string, unknown>) => [s]],
    ['{ spans: [...] }', (s: Record<string, unknown>) => ({ spans: [s] })],
  ])('accepts %s and stores the span', async (_, shape) => {
    const { traceId, spanId } = ids()
    const res = await ingest(t, shape(span({ trace_id: traceId, span_id: spanId(1) })))
    expect(res.status).toBe(202)
    expect(res.body).toEqual({ accepted: 1, rejected: [] })
    expect((await spansOf(traceId)).map((s) => s.span_id)).toEqual([spanId(1)])
  })

  it('accepts a batch of many spans of one trace and keeps parent links', async () => {
    const { traceId, spanId } = ids()
    const spans = Array.from({ length: 50 }, (_, i) =>
      span({ trace_id: traceId, span_id: spanId(i), parent_span_id: i === 0 ? null : spanId(0) }),
    )
    const res = await ingest(t, { spans })
    expect(res.body).toEqual({ accepted: 50, rejected: [] })
    const stored = await spansOf(traceId)
    expect(stored).toHaveLength(50)
    expect(stored.filter((s) => s.parent_span_id === spanId(0))).toHaveLength(49)
  })

  it('keeps unknown fields as attributes with their types', async () => {
    const { traceId, spanId } = ids()
    await ingest(
      t,
      span({ trace_id: traceId, span_id: spanId(1), my_field: 'x', retries: 3, cached: true, nested: { a: 1 } }),
    )
    const [stored] = await spansOf(traceId)
    expect(stored?.attributes).toEqual({ my_field: 'x', retries: 3, cached: true, nested: '{"a":1}' })
  })

  it('accepts the SDK client block and reports drops without failing the batch', async () => {
    const { traceId, spanId } = ids()
    const res = await ingest(t, {
      spans: [span({ trace_id: traceId, span_id: spanId(1) })],
      client: { name: '@tollgate/sdk', version: '0.1.0', dropped: { spool_full: 2 } },
    })
    expect(res.body).toEqual({ accepted: 1, rejected: [] })
  })
})

describe('gzip', () => {
  it('accepts a gzip body', async () => {
    const { traceId, spanId } = ids()
    const body = gzipSync(
      JSON.stringify([
        span({ trace_id: traceId, span_id: spanId(1) }),
        span({ trace_id: traceId, span_id: spanId(2) }),
      ]),
    )
    const res = await t.request('/api/ingest?consistency=strong', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 2, rejected: [] })
    expect(await spansOf(traceId)).toHaveLength(2)
  })

  it('rejects a body that claims gzip but is not', async () => {
    const res = await t.request('/api/ingest?consistency=strong', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: '{"a":1}',
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(((await res.json()) as { type: string }).type).toMatch(/\/malformed-json$/)
  })
})

describe('partial rejection', () => {
  it('keeps valid spans and lists invalid ones by index', async () => {
    const { traceId, spanId } = ids()
    const res = await ingest(t, [
      span({ trace_id: traceId, span_id: spanId(1) }),
      span({ trace_id: 'not-hex', span_id: spanId(2) }),
      span({ trace_id: traceId, span_id: spanId(3), usage: { input_tokens: -1 } }),
      span({ trace_id: traceId, span_id: spanId(4) }),
      'just a string',
    ])
    expect(res.status).toBe(202)
    expect(res.body.accepted).toBe(2)
    const rejected = res.body.rejected as Array<{ index: number; error: string }>
    expect(rejected.map((r) => r.index)).toEqual([1, 2, 4])
    expect(rejected[0]?.error).toMatch(/trace_id/)
    expect(rejected[1]?.error).toMatch(/usage\.input_tokens/)
    expect((await spansOf(traceId)).map((s) => s.span_id).sort()).toEqual([spanId(1), spanId(4)])
  })

  it('answers 400 with the list when every span is invalid', async () => {
    const res = await t.request('/api/ingest?consistency=strong', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ span_id: 'zz' }, { trace_id: 5 }]),
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { type: string; accepted: number; rejected: unknown[] }
    expect(body.type).toMatch(/\/validation$/)
    expect(body.accepted).toBe(0)
    expect(body.rejected).toHaveLength(2)
  })
})

describe('text limits', () => {
  it('truncates input over 256 KiB and flags it', async () => {
    const { traceId, spanId } = ids()
    await ingest(t, span({ trace_id: traceId, span_id: spanId(1), input: 'é'.repeat(200 * 1024), output: 'short' }))
    const [stored] = await spansOf(traceId)
    expect(Buffer.byteLength(String(stored?.input))).toBeLessThanOrEqual(256 * 1024)
    expect(stored?.input_truncated).toBe(true)
    expect(stored?.output).toBe('short')
    expect(stored?.output_truncated).toBe(false)
  })

  it('stores structured input as JSON text', async () => {
    const { traceId, spanId } = ids()
    const messages = [{ role: 'user', content: 'hi' }]
    await ingest(t, span({ trace_id: traceId, span_id: spanId(1), input: messages }))
    const [stored] = await spansOf(traceId)
    expect(JSON.parse(String(stored?.input))).toEqual(messages)
  })

  it('rejects a span with more than 128 attributes', async () => {
    const attributes = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, i]))
    const res = await ingest(t, [span({ attributes })])
    expect(res.status).toBe(400)
    expect(JSON.stringify(res.body.rejected)).toMatch(/more than 128/)
  })
})
