import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ids, ingest, span, startTestApp, type TestApp } from './harness.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

async function scrape(): Promise<string> {
  const res = await t.request('/metrics')
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain('text/plain')
  return res.text()
}

/** The value of one sample line, e.g. `tollgate_ingest_spans_total{result="accepted"}`; 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '))
  return line ? Number(line.slice(series.length + 1)) : 0
}

describe('GET /metrics', () => {
  it('counts accepted and rejected spans, SDK drops, store writes and requests by route pattern', async () => {
    const before = await scrape()
    const { traceId, spanId } = ids()
    const res = await ingest(t, {
      spans: [
        span({ trace_id: traceId, span_id: spanId(1) }),
        span({ trace_id: traceId, span_id: spanId(2) }),
        { trace_id: 'bad' },
      ],
      client: { name: '@tollgate/sdk', dropped: { spool_full: 3, 'not a reason!': 1 } },
    })
    expect(res.status).toBe(202)
    expect((await t.request(`/api/traces/${traceId}/spans`)).status).toBe(200)
    const after = await scrape()

    const delta = (series: string): number => sample(after, series) - sample(before, series)
    expect(delta('tollgate_ingest_spans_total{result="accepted"}')).toBe(2)
    expect(delta('tollgate_ingest_spans_total{result="rejected"}')).toBe(1)
    expect(delta('tollgate_client_dropped_spans_total{reason="spool_full"}')).toBe(3)
    expect(delta('tollgate_client_dropped_spans_total{reason="other"}')).toBe(1)
    expect(delta('tollgate_store_write_rows_total{result="ok"}')).toBe(2)
    expect(delta('tollgate_http_requests_total{method="POST",route="/api/ingest",status="202"}')).toBe(1)
    expect(delta('tollgate_http_requests_total{method="GET",route="/api/traces/:id/spans",status="200"}')).toBe(1)
    expect(after).toMatch(/^tollgate_ingest_queue_spans 0$/m)
    expect(after).toMatch(/^tollgate_process_cpu_seconds_total /m)
    // No ids in labels: the trace id never appears.
    expect(after).not.toContain(traceId)
  })

  it('does not count an SDK drop report twice when the batch is refused and resent', async () => {
    const before = sample(await scrape(), 'tollgate_client_dropped_spans_total{reason="expired"}')
    const res = await ingest(t, { spans: [{ trace_id: 'bad' }], client: { dropped: { expired: 5 } } })
    expect(res.status).toBe(400)
    expect(sample(await scrape(), 'tollgate_client_dropped_spans_total{reason="expired"}')).toBe(before)
  })
})
