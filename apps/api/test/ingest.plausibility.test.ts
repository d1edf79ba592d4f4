import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ids, ingest, must, span, startTestApp, type TestApp } from './harness.js'

// Nothing is answered 202 and then removed. Each case used to get `202 {"accepted":1}` and vanish
// (TTL), or fail every concurrent request (503). Now each is refused per index, or stored.
let t: TestApp
const RETENTION_DAYS = 365
beforeAll(async () => {
  t = await startTestApp({ DATA_RETENTION_DAYS: String(RETENTION_DAYS), INGEST_MAX_FUTURE_SKEW_S: '3600' })
})
afterAll(() => t.close())

const DAY_MS = 86_400_000

async function spansOf(traceId: string): Promise<Array<Record<string, unknown>>> {
  const res = await t.request(`/api/traces/${traceId}/spans`)
  if (res.status === 404) return []
  return ((await res.json()) as { spans: Array<Record<string, unknown>> }).spans
}

// JSON.stringify itself recurses: a value deeper than a few thousand levels is written as text.
const DEEP = '__deep__'
const deepText = (depth: number): string => '['.repeat(depth) + '"leaf"' + ']'.repeat(depth)
function nested(depth: number): unknown {
  let v: unknown = 'leaf'
  for (let i = 0; i < depth; i++) v = [v]
  return v
}

async function post(body: unknown, path = '/api/ingest?consistency=strong'): Promise<Response> {
  const text = JSON.stringify(body).replace(`"${DEEP}"`, deepText(10_000))
  return t.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text })
}

describe.each([
  [
    '2000-01-01',
    { start_time: '2000-01-01T00:00:00Z', end_time: '2000-01-01T00:00:01Z' },
    /start_time: older than the retention/,
  ],
  [
    '2107',
    { start_time: '2107-01-01T00:00:00Z', end_time: '2107-01-01T00:00:01Z' },
    /start_time: more than 1 h in the future/,
  ],
  [
    '2400',
    { start_time: '2400-06-01T00:00:00Z', end_time: '2400-06-01T00:00:01Z' },
    /start_time: more than 1 h in the future/,
  ],
  ['epoch-ms 5e12', { start_time: 5e12, end_time: 5e12 }, /start_time: more than 1 h in the future/],
  [
    'older than the retention',
    { start_time: new Date(Date.now() - (RETENTION_DAYS + 1) * DAY_MS).toISOString() },
    /older than the retention of 365 days/,
  ],
  [
    'pre-1900 with a fraction',
    { start_time: '1850-06-01T00:00:00.5Z', end_time: '1850-06-01T00:00:01Z' },
    /older than the retention/,
  ],
  [
    'end far in the future',
    { end_time: new Date(Date.now() + 2 * 3600_000).toISOString() },
    /end_time: more than 1 h in the future/,
  ],
  ['input nested 10,000 deep', { input: DEEP }, /^input: nested deeper than 64 levels/],
  [
    'attribute nested 100 deep',
    { attributes: { deep: nested(100) } },
    /^attributes\.deep: nested deeper than 64 levels/,
  ],
  ['cost 1e300', { cost: { total_usd: 1e300 } }, /^cost\.total_usd: /],
  ['tokens 1e15', { usage: { input_tokens: 1e15, output_tokens: 1 } }, /^usage\.input_tokens: /],
  ['ttft of ten days', { ttft_ms: 10 * DAY_MS }, /^ttft_ms: /],
  [
    '65 tags (MAX_TAGS 64)',
    { tags: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
    /^tags: more than 64 keys/,
  ],
  [
    'a tag value of 2,000 bytes (MAX_TAG_VALUE_BYTES 1024)',
    { tags: { team: 'é'.repeat(1000) } },
    /^tags\.team: longer than 1024 bytes/,
  ],
])('%s', (_name, fields, error) => {
  it('is refused on its own index and never stored; its neighbours are stored', async () => {
    const { traceId, spanId } = ids()
    const good = (i: number): Record<string, unknown> => span({ trace_id: traceId, span_id: spanId(i) })
    const bad = span({ trace_id: traceId, span_id: spanId(9), ...fields })
    const res = await post([good(1), bad, good(2)])
    expect(res.status).toBe(202)
    const body = (await res.json()) as { accepted: number; rejected: Array<{ index: number; error: string }> }
    expect(body.accepted).toBe(2)
    const rejected = body.rejected
    expect(rejected).toHaveLength(1)
    expect(must(rejected[0], 'rejection').index).toBe(1)
    expect(must(rejected[0], 'rejection').error).toMatch(error)
    expect((await spansOf(traceId)).map((s) => s.span_id).sort()).toEqual([spanId(1), spanId(2)])

    // Alone, it is a 400 problem listing the index: the SDK drops and counts it, never retries it forever.
    const alone = await post(bad, '/api/ingest')
    expect(alone.status).toBe(400)
    const problem = (await alone.json()) as { type: string; rejected: Array<{ index: number; error: string }> }
    expect(problem.type).toMatch(/\/validation$/)
    expect(problem.rejected[0]?.error).toMatch(error)
    expect((await t.request('/health')).status).toBe(200)
  })
})

describe('values the store could not hold are made safe, not refused', () => {
  it('replaces a lone surrogate and stores the span with its neighbours', async () => {
    const { traceId, spanId } = ids()
    const res = await ingest(t, [
      span({
        trace_id: traceId,
        span_id: spanId(1),
        input: 'a\ud800',
        name: 'x\udfff',
        tags: { k: '\ud800' },
        attributes: { a: 'b\ud800' },
      }),
      span({ trace_id: traceId, span_id: spanId(2) }),
    ])
    expect(res.body).toEqual({ accepted: 2, rejected: [] })
    const stored = await spansOf(traceId)
    const first = must(
      stored.find((s) => s.span_id === spanId(1)),
      'sanitised span',
    )
    expect(first.input).toBe('a\ufffd')
    expect(first.name).toBe('x\ufffd')
    expect(first.tags).toEqual({ k: '\ufffd' })
    expect(first.attributes).toEqual({ a: 'b\ufffd' })
  })

  it('cuts attribute values over MAX_ATTRIBUTE_VALUE_BYTES and says which; a __proto__ tag is dropped, never a prototype', async () => {
    const { traceId, spanId } = ids()
    const big = 'ab€'.repeat(30_000) // 150,000 bytes
    const res = await ingest(t, [
      span({
        trace_id: traceId,
        span_id: spanId(1),
        attributes: { big, small: 'kept', structured: { text: 'x'.repeat(70_000) } },
        tags: JSON.parse('{"__proto__": "polluted?", "team": "red"}') as Record<string, string>,
      }),
    ])
    expect(res.body).toEqual({ accepted: 1, rejected: [] })
    const stored = must((await spansOf(traceId))[0], 'stored span')
    const attributes = stored.attributes as Record<string, string>
    expect(Buffer.byteLength(must(attributes.big, 'big'))).toBeLessThanOrEqual(65_536)
    expect(Buffer.byteLength(must(attributes.big, 'big'))).toBeGreaterThan(65_530)
    expect(big.startsWith(must(attributes.big, 'big'))).toBe(true)
    expect(must(attributes.structured, 'structured').length).toBe(65_536)
    expect(attributes.small).toBe('kept')
    expect(attributes['tollgate.truncated_attributes']).toBe('big,structured')
    expect(stored.tags).toEqual({ team: 'red' })
  })

  it('stores a batch spanning 150 days (more partitions than one insert may touch)', async () => {
    const { traceId, spanId } = ids()
    const now = Date.now()
    const batch = Array.from({ length: 150 }, (_, d) =>
      span({
        trace_id: traceId,
        span_id: spanId(d),
        start_time: new Date(now - d * DAY_MS - 60_000).toISOString(),
        end_time: new Date(now - d * DAY_MS).toISOString(),
      }),
    )
    const res = await ingest(t, batch)
    expect(res.body).toEqual({ accepted: 150, rejected: [] })
    expect(await spansOf(traceId)).toHaveLength(150)
  })
})

describe('drops are counted by reason', () => {
  it('counts time and invalid rejections in /metrics', async () => {
    const scrape = async (): Promise<string> => (await t.request('/metrics')).text()
    const value = (text: string, series: string): number =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(series + ' '))
          ?.split(' ')[1] ?? 0,
      )
    const before = await scrape()
    await ingest(t, [span({ start_time: '2000-01-01T00:00:00Z' }), { trace_id: 'nope' }, span()])
    const after = await scrape()
    expect(
      value(after, 'tollgate_ingest_rejected_spans_total{reason="time"}') -
        value(before, 'tollgate_ingest_rejected_spans_total{reason="time"}'),
    ).toBe(1)
    expect(
      value(after, 'tollgate_ingest_rejected_spans_total{reason="invalid"}') -
        value(before, 'tollgate_ingest_rejected_spans_total{reason="invalid"}'),
    ).toBe(1)
  })
})
