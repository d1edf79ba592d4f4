// GET /api/traces: sorting, offset and cursor paging, invalid parameters, on chDB + PGlite.
import { describe, expect, it } from 'vitest'
import { ids, ingest, must, span } from './harness.js'
import {
  traceSpans,
  seed,
  list,
  listIds,
  problem,
  sorted,
  uniqueRun,
  MIN,
  T0,
  iso,
  app,
  useTraceApp,
  type ListBody,
  type TraceSpec,
} from './traces.fixtures.js'

useTraceApp()

/** Four traces with a different order under each sort, plus `t5`: a twin of `t1` to exercise ties. */
function sortSet(run: string): TraceSpec[] {
  return [
    { run, at: 60 * MIN, durationMs: 4000, costUsd: 0.5, inputTokens: 150, outputTokens: 50 }, // t1: 200 tokens
    { run, at: 61 * MIN, durationMs: 1000, costUsd: 0.125, inputTokens: 300, outputTokens: 100 }, // t2: 400
    { run, at: 62 * MIN, durationMs: 3000, costUsd: 1, inputTokens: 60, outputTokens: 40 }, // t3: 100
    { run, at: 63 * MIN, durationMs: 2000, costUsd: 0.25, inputTokens: 250, outputTokens: 50 }, // t4: 300
  ]
}

const SORT_ORDERS: Array<{ sort: string; asc: number[] }> = [
  { sort: 'time', asc: [0, 1, 2, 3] },
  { sort: 'cost', asc: [1, 3, 0, 2] },
  { sort: 'duration', asc: [1, 3, 2, 0] },
  { sort: 'tokens', asc: [2, 0, 3, 1] },
]

describe('GET /api/traces: sorting and paging', () => {
  it.each(
    SORT_ORDERS.flatMap(({ sort, asc }) => [
      { sort, order: 'asc', expected: asc },
      { sort, order: 'desc', expected: [...asc].reverse() },
    ]),
  )('sort=$sort order=$order', async ({ sort, order, expected }) => {
    const run = uniqueRun(`sort-${sort}-${order}`)
    const seeded = await seed(sortSet(run))
    expect(await listIds({ 'tag.run': run, sort, order })).toEqual(expected.map((i) => seeded[i]))
  })

  it('defaults to the newest trace first', async () => {
    const run = uniqueRun('default-sort')
    const seeded = await seed(sortSet(run))
    expect(await listIds({ 'tag.run': run })).toEqual([...seeded].reverse())
  })

  it('pages with limit and offset, reporting the full total on every page', async () => {
    const run = uniqueRun('offset')
    const seeded = await seed(sortSet(run))
    const page = async (offset: number) =>
      (await list({ 'tag.run': run, sort: 'time', order: 'asc', limit: '3', offset: String(offset) })).body
    const first = await page(0)
    const second = await page(3)
    const past = await page(4)
    expect(first.traces.map((x) => x.trace_id)).toEqual(seeded.slice(0, 3))
    expect(second.traces.map((x) => x.trace_id)).toEqual(seeded.slice(3))
    expect(past.traces).toEqual([])
    expect([first.total, second.total, past.total]).toEqual([4, 4, 4])
    expect(second.next_cursor).toBeNull()
  })

  it('returns at most `limit` traces and a cursor when more remain', async () => {
    const run = uniqueRun('limit')
    await seed(sortSet(run))
    const { body } = await list({ 'tag.run': run, limit: '1' })
    expect(body.traces).toHaveLength(1)
    expect(body.total).toBe(4)
    expect(typeof body.next_cursor).toBe('string')
  })

  it('accepts the limit bounds 1 and 500', async () => {
    const run = uniqueRun('limit-bounds')
    await seed(sortSet(run))
    expect((await list({ 'tag.run': run, limit: '1' })).body.traces).toHaveLength(1)
    expect((await list({ 'tag.run': run, limit: '500' })).body.traces).toHaveLength(4)
  })
})

describe('GET /api/traces: cursor paging', () => {
  // Ties on every sort key: t5 has t1's start time, duration, cost and tokens; they order by trace id.
  const withTies = (run: string): TraceSpec[] => {
    const set = sortSet(run)
    return [...set, { ...must(set[0], 't1') }]
  }

  it.each(
    SORT_ORDERS.flatMap(({ sort }) => [
      { sort, order: 'asc', limit: 1 },
      { sort, order: 'desc', limit: 2 },
    ]),
  )('walks every trace exactly once in order: sort=$sort order=$order limit=$limit', async ({ sort, order, limit }) => {
    const run = uniqueRun(`cursor-${sort}-${order}`)
    const seeded = await seed(withTies(run))
    const all = await listIds({ 'tag.run': run, sort, order })
    expect(sorted(all)).toEqual(sorted(seeded))

    const walked: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const params: Record<string, string> = { 'tag.run': run, sort, order, limit: String(limit) }
      if (cursor) params.cursor = cursor
      const { body }: { body: ListBody } = await list(params)
      expect(body.total).toBe(5)
      expect(body.traces.length).toBeLessThanOrEqual(limit)
      walked.push(...body.traces.map((x) => x.trace_id))
      cursor = body.next_cursor
      pages++
    } while (cursor !== null && pages < 10)
    expect(cursor).toBeNull()
    expect(walked).toEqual(all)
    expect(pages).toBe(Math.ceil(5 / limit))
  })

  it.each(['cost', 'duration'])('walks sort=%s when the sort values are not exact binary fractions', async (sort) => {
    const run = uniqueRun(`cursor-inexact-${sort}`)
    // Sums such as 0.1 + 0.2 and durations with µs fractions must survive the cursor's round trip.
    const specs: TraceSpec[] = [0.1, 0.2, 0.7, 0.1 + 0.2, 0.3].map((cost, i) => ({
      run,
      at: 64 * MIN + i * 1000,
      costUsd: cost,
      durationMs: 1000 + i / 3,
    }))
    const traces = specs.map(traceSpans)
    // A third span per trace makes every cost a sum of 0.1 and the spec's cost.
    const extra = traces.map(({ traceId }, i) =>
      span({
        trace_id: traceId,
        span_id: ids().spanId(9),
        start_time: iso(T0 + 64 * MIN + i * 1000 + 10),
        end_time: iso(T0 + 64 * MIN + i * 1000 + 20),
        cost: { total_usd: 0.1 },
        tags: { run },
      }),
    )
    expect((await ingest(app(), [...traces.flatMap((x) => x.spans), ...extra])).status).toBe(202)
    const all = await listIds({ 'tag.run': run, sort, order: 'asc' })
    expect(all).toHaveLength(5)
    const walked: string[] = []
    let cursor: string | null = null
    for (let pages = 0; pages < 10; pages++) {
      const params: Record<string, string> = { 'tag.run': run, sort, order: 'asc', limit: '1' }
      if (cursor) params.cursor = cursor
      const { body }: { body: ListBody } = await list(params)
      walked.push(...body.traces.map((x) => x.trace_id))
      cursor = body.next_cursor
      if (cursor === null) break
    }
    expect(walked).toEqual(all)
  })

  it.each<{ name: string; reuse: Record<string, string> }>([
    { name: 'another sort', reuse: { sort: 'cost', order: 'desc' } },
    { name: 'another order', reuse: { sort: 'time', order: 'asc' } },
    { name: 'an offset as well', reuse: { sort: 'time', order: 'desc', offset: '1' } },
  ])('rejects a cursor used with $name', async ({ reuse }) => {
    const run = uniqueRun('cursor-misuse')
    await seed(sortSet(run))
    const cursor = must(
      (await list({ 'tag.run': run, sort: 'time', order: 'desc', limit: '1' })).body.next_cursor,
      'a cursor',
    )
    const res = await problem(new URLSearchParams({ 'tag.run': run, cursor, ...reuse }).toString())
    expect(res.status).toBe(400)
    expect(res.type).toMatch(/^application\/problem\+json/)
    expect(res.body.type).toMatch(/\/validation$/)
    expect(res.body.detail).toMatch(/cursor/)
  })

  it.each([
    { name: 'garbage', cursor: 'not-a-cursor!!' },
    { name: 'base64 of non-JSON', cursor: Buffer.from('hello').toString('base64url') },
    {
      name: 'base64 JSON of the wrong shape',
      cursor: Buffer.from(JSON.stringify({ s: 'time', o: 'desc' })).toString('base64url'),
    },
  ])('rejects a $name cursor with 400', async ({ cursor }) => {
    const res = await problem(new URLSearchParams({ cursor }).toString())
    expect(res.status).toBe(400)
    expect(res.type).toMatch(/^application\/problem\+json/)
    expect(res.body.type).toMatch(/\/validation$/)
  })
})

describe('GET /api/traces: invalid parameters', () => {
  it.each([
    { name: 'unknown parameter', query: 'colour=red', names: 'colour' },
    { name: 'bad status', query: 'status=failed', names: 'status' },
    { name: 'limit=0', query: 'limit=0', names: 'limit' },
    { name: 'limit=501', query: 'limit=501', names: 'limit' },
    { name: 'non-numeric limit', query: 'limit=ten', names: 'limit' },
    { name: 'negative offset', query: 'offset=-1', names: 'offset' },
    { name: 'bad from', query: 'from=yesterday', names: 'from' },
    { name: 'bad to', query: 'to=2026-13-45T00:00:00Z', names: 'to' },
    { name: 'bad sort', query: 'sort=name', names: 'sort' },
    { name: 'bad order', query: 'order=up', names: 'order' },
    { name: 'negative min_cost', query: 'min_cost=-1', names: 'min_cost' },
    { name: 'non-numeric min_cost', query: 'min_cost=cheap', names: 'min_cost' },
  ])('$name → 400 problem+json', async ({ query, names }) => {
    const res = await problem(query)
    expect(res.status).toBe(400)
    expect(res.type).toMatch(/^application\/problem\+json/)
    expect(res.body).toMatchObject({ status: 400 })
    expect(res.body.type).toMatch(/^https?:\/\/.+\/validation$/)
    expect(res.body.detail).toContain(names)
  })
})

describe('GET /api/traces?total=', () => {
  it('counts approximately by default, exactly on request, or not at all', async () => {
    const run = uniqueRun('total-mode')
    await seed(sortSet(run))
    const get = async (total?: string) =>
      (await list({ 'tag.run': run, ...(total ? { total } : {}) })).body as ListBody & { total_exact: boolean }
    expect(await get()).toMatchObject({ total: 4, total_exact: false })
    expect(await get('approx')).toMatchObject({ total: 4, total_exact: false })
    expect(await get('exact')).toMatchObject({ total: 4, total_exact: true })
    const none = await get('none')
    expect(none).toMatchObject({ total: -1, total_exact: false })
    expect(none.traces).toHaveLength(4)
    expect((await list({ 'tag.run': run, total: 'exact', status: 'ok' })).body).toMatchObject({
      total: 4,
      total_exact: true,
    })
  })
})
