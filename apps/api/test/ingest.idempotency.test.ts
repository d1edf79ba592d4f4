import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ids, ingest, span, startTestApp, type TestApp } from './harness.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

async function listByTag(run: string): Promise<{ traces: Array<Record<string, number | string>>; total: number }> {
  const res = await t.request(`/api/traces?tag.run=${run}`)
  expect(res.status).toBe(200)
  return (await res.json()) as { traces: Array<Record<string, number | string>>; total: number }
}

describe('redelivery of the same (project, trace_id, span_id)', () => {
  it('shows each span once in lists, counts and sums, before and after merges', async () => {
    const run = `idem-${Date.now()}`
    const { traceId, spanId } = ids()
    const batch = [1, 2, 3].map((i) =>
      span({
        trace_id: traceId,
        span_id: spanId(i),
        parent_span_id: i === 1 ? null : spanId(1),
        tags: { run },
        usage: { input_tokens: 1000, output_tokens: 100 },
      }),
    )
    // The same batch three times, in separate inserts, plus a duplicate inside one request.
    for (let i = 0; i < 3; i++) expect((await ingest(t, batch)).status).toBe(202)
    expect((await ingest(t, [batch[0], batch[0]])).body).toEqual({ accepted: 2, rejected: [] })

    const check = async (): Promise<void> => {
      const list = await listByTag(run)
      expect(list.total).toBe(1)
      expect(list.traces[0]).toMatchObject({ trace_id: traceId, span_count: 3, input_tokens: 3000, output_tokens: 300 })
      const spans = await t.request(`/api/traces/${traceId}/spans`)
      expect(((await spans.json()) as { spans: unknown[] }).spans).toHaveLength(3)
      const graph = (await (await t.request(`/api/traces/${traceId}/graph`)).json()) as {
        nodes: unknown[]
        edges: unknown[]
      }
      expect(graph.nodes).toHaveLength(3)
      expect(graph.edges).toHaveLength(2)
    }
    await check()
    // Dedup before insert: the redeliveries never reached the table.
    expect(await rawRowCount(traceId)).toBe(3)
    await t.deps.ch.client.command({ query: `OPTIMIZE TABLE ${t.deps.ch.table('spans')} FINAL` })
    expect(await rawRowCount(traceId)).toBe(3)
    await check()
  })

  it('keeps the first delivery when a span is redelivered with changes (first delivery wins, exactly)', async () => {
    const { traceId, spanId } = ids()
    await ingest(t, span({ trace_id: traceId, span_id: spanId(1), status: 'unset' }))
    await new Promise((r) => setTimeout(r, 5))
    await ingest(t, span({ trace_id: traceId, span_id: spanId(1), status: 'error', error_message: 'late' }))
    const res = await t.request(`/api/traces/${traceId}/spans`)
    const { spans } = (await res.json()) as { spans: Array<Record<string, unknown>> }
    expect(spans).toHaveLength(1)
    expect(spans[0]).toMatchObject({ status: 'unset', error_message: null })
  })
})

async function rawRowCount(traceId: string): Promise<number> {
  const res = await t.deps.ch.client.query({
    query: `SELECT count() AS n FROM ${t.deps.ch.table('spans')} WHERE trace_id = {id:String}`,
    query_params: { id: traceId },
    format: 'JSONEachRow',
  })
  const [row] = await res.json<{ n: number | string }>()
  return Number(row?.n)
}
