import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ids, ingest, span, startTestApp, type TestApp } from './harness.js'

// trace_index is derived: refreshRecentRollups swaps its recent days in, and for a moment a stored
// trace may have no index rows. Its spans must still be served, never a 404.
let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

describe("a trace's spans while its index rows are missing", () => {
  it('are still served in full', async () => {
    const { traceId, spanId } = ids()
    expect(
      (
        await ingest(
          t,
          [1, 2, 3].map((i) => span({ trace_id: traceId, span_id: spanId(i) })),
        )
      ).status,
    ).toBe(202)
    await t.deps.ch.client.command({ query: `TRUNCATE TABLE ${t.deps.ch.table('trace_index')}` })
    const res = await t.request(`/api/traces/${traceId}/spans`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { spans: unknown[] }).spans).toHaveLength(3)
    expect((await t.request(`/api/traces/${traceId}/graph`)).status).toBe(200)
  })
})
