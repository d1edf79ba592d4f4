// GET /api/traces?search= on the text indexes: whole words, any case, in a span's name, input or
// output, within 7 days back unless `from` says otherwise; the total counts the same traces.
import { describe, expect, it } from 'vitest'
import { ids, ingest, span } from './harness.js'
import { app, useTraceApp, uniqueRun, type ListBody } from './traces.fixtures.js'

useTraceApp()

const DAY = 86_400_000
const at = (ms: number) => ({ start_time: new Date(ms).toISOString(), end_time: new Date(ms + 1000).toISOString() })

async function search(params: Record<string, string>): Promise<ListBody> {
  const res = await app().request(`/api/traces?${new URLSearchParams(params).toString()}`)
  expect(res.status).toBe(200)
  return (await res.json()) as ListBody
}

describe('GET /api/traces?search=', () => {
  it('finds a rare word among many prompts, in any case, and counts it in total', async () => {
    const word = uniqueRun('zanzibar').replace(/[^a-z]/g, 'q')
    const bulk = Array.from({ length: 200 }, (_, i) => {
      const { traceId, spanId } = ids()
      return span({
        trace_id: traceId,
        span_id: spanId(1),
        input: `common prompt number ${i} about the weather`,
        ...at(Date.now() - (i + 1) * 60_000),
      })
    })
    const { traceId, spanId } = ids()
    const needle = span({
      trace_id: traceId,
      span_id: spanId(1),
      input: `Tell me about ${word.toUpperCase()}, please.`,
      ...at(Date.now() - 30 * 60_000),
    })
    expect((await ingest(app(), [...bulk, needle])).status).toBe(202)
    for (const q of [word, word.toUpperCase(), `please ${word}`]) {
      const body = await search({ search: q })
      expect(
        body.traces.map((t) => t.trace_id),
        q,
      ).toEqual([traceId])
      expect(body.total).toBe(1)
    }
    // Words, not substrings: a fragment of the word finds nothing.
    expect((await search({ search: word.slice(0, -2) })).traces).toEqual([])
  })

  it('looks 7 days back unless `from` reaches further', async () => {
    const word = uniqueRun('oldword').replace(/[^a-z]/g, 'q')
    const { traceId, spanId } = ids()
    expect(
      (
        await ingest(app(), [
          span({ trace_id: traceId, span_id: spanId(1), output: `an ${word} answer`, ...at(Date.now() - 8 * DAY) }),
        ])
      ).status,
    ).toBe(202)
    expect((await search({ search: word })).traces).toEqual([])
    const found = await search({ search: word, from: new Date(Date.now() - 9 * DAY).toISOString() })
    expect(found.traces.map((t) => t.trace_id)).toEqual([traceId])
    expect(found.total).toBe(1)
  })

  it('finds a trace by its id whatever its age inside `from`', async () => {
    const { traceId, spanId } = ids()
    expect(
      (await ingest(app(), [span({ trace_id: traceId, span_id: spanId(1), ...at(Date.now() - 2 * 60_000) })])).status,
    ).toBe(202)
    expect((await search({ search: traceId.toUpperCase() })).traces.map((t) => t.trace_id)).toEqual([traceId])
  })
})
