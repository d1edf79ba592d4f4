// GET /api/traces: summaries, time bounds and filters, on chDB + PGlite.
import { describe, expect, it } from 'vitest'
import { ids, ingest, must, span } from './harness.js'
import {
  seed,
  list,
  listIds,
  sorted,
  uniqueRun,
  MIN,
  T0,
  iso,
  app,
  useTraceApp,
  type TraceSpec,
} from './traces.fixtures.js'

useTraceApp()

describe('GET /api/traces: the trace summary', () => {
  it('summarises a trace: root name, start/end, duration, counts, status, token and cost sums, models, agents', async () => {
    const run = uniqueRun('summary')
    const { traceId, spanId } = ids()
    const start = T0 + 5 * MIN
    const tags = { run }
    const spans = [
      // Children first: the root of an agent run is typically sent last, when it ends.
      span({
        trace_id: traceId,
        span_id: spanId(2),
        parent_span_id: spanId(1),
        name: 'openai.chat.completions',
        start_time: iso(start + 1000),
        end_time: iso(start + 2000),
        status: 'error',
        model: 'gpt-4o',
        agent: { id: 'writer' },
        usage: { input_tokens: 120, output_tokens: 30 },
        cost: { input_usd: 0.25, output_usd: 0.125, total_usd: 0.375 },
        tags,
      }),
      span({
        trace_id: traceId,
        span_id: spanId(3),
        parent_span_id: spanId(1),
        name: 'anthropic.messages',
        start_time: iso(start + 2500),
        end_time: iso(start + 6000),
        status: 'ok',
        provider: 'anthropic',
        model: 'claude-3-5-sonnet-20241022',
        agent: { id: 'reviewer' },
        usage: { input_tokens: 200, output_tokens: 50 },
        cost: { input_usd: 0.5, output_usd: 0.25, total_usd: 0.75 },
        tags,
      }),
      span({
        trace_id: traceId,
        span_id: spanId(1),
        name: 'research-pipeline',
        kind: 'agent',
        start_time: iso(start),
        end_time: iso(start + 5000),
        status: 'ok',
        provider: null,
        model: null,
        agent: { id: 'planner' },
        usage: null,
        tags,
      }),
    ]
    expect((await ingest(app(), spans)).status).toBe(202)

    const { body, type } = await list({ 'tag.run': run })
    expect(type).toMatch(/^application\/json/)
    expect(Object.keys(body).sort()).toEqual(['next_cursor', 'total', 'total_exact', 'traces'])
    expect(body.total).toBe(1)
    expect(body.next_cursor).toBeNull()
    expect(body.traces).toEqual([
      {
        trace_id: traceId,
        name: 'research-pipeline',
        start_time: iso(start).replace('Z', '000Z'),
        end_time: iso(start + 6000).replace('Z', '000Z'),
        duration_ms: 6000,
        span_count: 3,
        error_count: 1,
        status: 'error',
        input_tokens: 320,
        output_tokens: 80,
        total_cost_usd: 1.125,
        models: ['claude-3-5-sonnet-20241022', 'gpt-4o'],
        agent_ids: ['planner', 'reviewer', 'writer'],
      },
    ])
  })

  it("has totals equal to the sums over the trace's spans, with computed costs", async () => {
    const run = uniqueRun('sums')
    const { traceId, spanId } = ids()
    const start = T0 + 6 * MIN
    const usages = [
      { input_tokens: 1000, output_tokens: 500, cache_read_tokens: 400 },
      { input_tokens: 2345, output_tokens: 17 },
      { input_tokens: 3, output_tokens: 999 },
    ]
    const spans = usages.map((usage, i) =>
      span({
        trace_id: traceId,
        span_id: spanId(i + 1),
        start_time: iso(start + i * 1000),
        end_time: iso(start + i * 1000 + 500),
        usage,
        tags: { run },
      }),
    )
    expect((await ingest(app(), spans)).status).toBe(202)

    const summary = must((await list({ 'tag.run': run })).body.traces[0], 'one trace')
    const res = await app().request(`/api/traces/${traceId}/spans`)
    expect(res.status).toBe(200)
    const stored = (await res.json()) as {
      spans: Array<{ usage: { input_tokens: number; output_tokens: number }; cost: { total_usd: number } | null }>
    }
    expect(stored.spans).toHaveLength(3)
    const costs = stored.spans.map((s) => must(s.cost, 'a computed cost').total_usd)
    expect(summary.span_count).toBe(3)
    expect(summary.input_tokens).toBe(1000 + 2345 + 3)
    expect(summary.output_tokens).toBe(500 + 17 + 999)
    expect(summary.input_tokens).toBe(stored.spans.reduce((a, s) => a + s.usage.input_tokens, 0))
    expect(summary.total_cost_usd).toBeGreaterThan(0)
    expect(summary.total_cost_usd).toBeCloseTo(
      costs.reduce((a, c) => a + c, 0),
      12,
    )
    expect(summary.duration_ms).toBe(2500)
  })

  it('names a trace after its earliest span while the root has not arrived', async () => {
    const run = uniqueRun('orphans')
    const { traceId, spanId } = ids()
    const start = T0 + 7 * MIN
    const spans = [
      span({
        trace_id: traceId,
        span_id: spanId(3),
        parent_span_id: spanId(1),
        name: 'second-step',
        start_time: iso(start + 2000),
        end_time: iso(start + 3000),
        tags: { run },
      }),
      span({
        trace_id: traceId,
        span_id: spanId(2),
        parent_span_id: spanId(1),
        name: 'first-step',
        start_time: iso(start + 1000),
        end_time: iso(start + 1500),
        tags: { run },
      }),
    ]
    expect((await ingest(app(), spans)).status).toBe(202)
    const [summary] = (await list({ 'tag.run': run })).body.traces
    expect(summary?.name).toBe('first-step')
    expect(summary?.span_count).toBe(2)
  })

  it('counts a redelivered span once', async () => {
    const run = uniqueRun('redelivery')
    const { traceId, spanId } = ids()
    const s = span({
      trace_id: traceId,
      span_id: spanId(1),
      start_time: iso(T0 + 8 * MIN),
      end_time: iso(T0 + 8 * MIN + 1000),
      cost: { total_usd: 0.5 },
      tags: { run },
    })
    expect((await ingest(app(), s)).status).toBe(202)
    expect((await ingest(app(), s)).status).toBe(202)
    const { body } = await list({ 'tag.run': run })
    expect(body.total).toBe(1)
    expect(body.traces[0]).toMatchObject({ span_count: 1, input_tokens: 100, total_cost_usd: 0.5 })
  })

  it.each([
    { status: 'error', spans: ['ok', 'error', 'unset'], errors: 1 },
    { status: 'ok', spans: ['unset', 'ok'], errors: 0 },
    { status: 'unset', spans: ['unset', 'unset'], errors: 0 },
  ])('derives trace status $status from span statuses $spans', async ({ status, spans: statuses, errors }) => {
    const run = uniqueRun(`status-${status}`)
    const { traceId, spanId } = ids()
    const spans = statuses.map((st, i) =>
      span({
        trace_id: traceId,
        span_id: spanId(i + 1),
        status: st,
        start_time: iso(T0 + 9 * MIN + i * 1000),
        end_time: iso(T0 + 9 * MIN + i * 1000 + 10),
        tags: { run },
      }),
    )
    expect((await ingest(app(), spans)).status).toBe(202)
    const { body } = await list({ 'tag.run': run })
    expect(body.traces).toHaveLength(1)
    expect(body.traces[0]).toMatchObject({ status, error_count: errors, span_count: statuses.length })
  })
})

describe('GET /api/traces: from/to at microsecond precision', () => {
  it('keeps a µs start time and bounds it exactly: from inclusive, to exclusive', async () => {
    const run = uniqueRun('micros')
    const { traceId, spanId } = ids()
    const second = iso(T0 + 3 * MIN).slice(0, 19) // 2026-01-02T03:04:05
    const at = (frac: string): string => `${second}.${frac}Z`
    const s = span({
      trace_id: traceId,
      span_id: spanId(1),
      start_time: at('123456'),
      end_time: at('923456'),
      tags: { run },
    })
    expect((await ingest(app(), s)).status).toBe(202)
    const found = async (params: Record<string, string>) => (await listIds({ 'tag.run': run, ...params })).length === 1

    const [summary] = (await list({ 'tag.run': run })).body.traces
    expect(summary).toMatchObject({
      trace_id: traceId,
      start_time: at('123456'),
      end_time: at('923456'),
      duration_ms: 800,
    })
    expect(await found({ from: at('123456') })).toBe(true)
    expect(await found({ from: at('123457') })).toBe(false)
    expect(await found({ to: at('123456') })).toBe(false)
    expect(await found({ to: at('123457') })).toBe(true)
    expect(await found({ from: at('123456'), to: at('123457') })).toBe(true)
  })
})

/**
 * Five traces that differ in every filterable field. `at` is minutes after T0; costs are exact binary
 * fractions so sums compare exactly.
 */
function filterSet(run: string): TraceSpec[] {
  return [
    // a
    {
      run,
      at: 10 * MIN,
      costUsd: 0.5,
      name: 'Alpha-Retrieval',
      status: 'ok',
      span: {
        model: 'gpt-4o',
        agent: { id: 'planner' },
        user_id: 'user-1',
        session_id: 'sess-1',
        input: 'where is the Needle-In-Input?',
        output: 'nowhere',
      },
    },
    // b
    {
      run,
      at: 20 * MIN,
      costUsd: 1,
      status: 'error',
      span: {
        provider: 'anthropic',
        model: 'claude-3-5-sonnet-20241022',
        agent: { id: 'coder' },
        user_id: 'user-2',
        session_id: 'sess-2',
        input: 'plain',
        output: 'the needle-in-output is here',
      },
    },
    // c
    {
      run,
      at: 30 * MIN,
      costUsd: 0.25,
      status: 'unset',
      span: {
        name: 'tool.needle-in-name',
        kind: 'tool',
        model: 'gpt-4o-mini',
        agent: { id: 'coder' },
        user_id: 'user-1',
        session_id: 'sess-2',
      },
    },
    // d
    {
      run,
      at: 40 * MIN,
      costUsd: 0.125,
      status: 'ok',
      span: { model: 'gpt-4o', user_id: 'user-3', tags: { run, env: 'prod', team: 'search' } },
    },
    // e: started before `a` ends, so only its start time separates it from `a` in from/to
    {
      run,
      at: 50 * MIN,
      costUsd: 0.5,
      status: 'ok',
      durationMs: 20 * MIN,
      span: { model: 'gpt-4o', user_id: 'user-1', session_id: 'sess-1', tags: { run, env: 'staging', team: 'search' } },
    },
  ]
}

const LETTERS = ['a', 'b', 'c', 'd', 'e'] as const
type Letter = (typeof LETTERS)[number]

describe('GET /api/traces: filters', () => {
  // Query parameters (besides tag.run) → the traces of filterSet() that match.
  const cases: Array<{
    name: string
    params: (ctx: { id: Record<Letter, string> }) => Record<string, string>
    expected: Letter[]
  }> = [
    { name: 'no filter but the run tag', params: () => ({}), expected: ['a', 'b', 'c', 'd', 'e'] },
    {
      name: 'search: span name, case-insensitive (root name)',
      params: () => ({ search: 'alpha-retrieval' }),
      expected: ['a'],
    },
    { name: 'search: span name of a child', params: () => ({ search: 'NEEDLE-IN-NAME' }), expected: ['c'] },
    { name: 'search: input', params: () => ({ search: 'needle-in-input' }), expected: ['a'] },
    { name: 'search: output', params: () => ({ search: 'Needle-In-Output' }), expected: ['b'] },
    {
      name: 'search: substring shared by name, input and output',
      params: () => ({ search: 'needle-in' }),
      expected: ['a', 'b', 'c'],
    },
    { name: 'search: trace id', params: ({ id }) => ({ search: id.d }), expected: ['d'] },
    { name: 'search: trace id in upper case', params: ({ id }) => ({ search: id.d.toUpperCase() }), expected: ['d'] },
    { name: 'search: no match', params: () => ({ search: 'nothing-like-this' }), expected: [] },
    { name: 'status=error', params: () => ({ status: 'error' }), expected: ['b'] },
    { name: 'status=ok', params: () => ({ status: 'ok' }), expected: ['a', 'd', 'e'] },
    { name: 'status=unset', params: () => ({ status: 'unset' }), expected: ['c'] },
    { name: 'agent_id (any span)', params: () => ({ agent_id: 'coder' }), expected: ['b', 'c'] },
    {
      name: 'model: exact, gpt-4o does not match gpt-4o-mini',
      params: () => ({ model: 'gpt-4o' }),
      expected: ['a', 'd', 'e'],
    },
    { name: 'model: gpt-4o-mini', params: () => ({ model: 'gpt-4o-mini' }), expected: ['c'] },
    { name: 'user_id', params: () => ({ user_id: 'user-1' }), expected: ['a', 'c', 'e'] },
    { name: 'session_id', params: () => ({ session_id: 'sess-2' }), expected: ['b', 'c'] },
    {
      name: 'from (RFC 3339) includes a trace starting exactly then',
      params: () => ({ from: iso(T0 + 30 * MIN) }),
      expected: ['c', 'd', 'e'],
    },
    { name: 'to (RFC 3339) is exclusive', params: () => ({ to: iso(T0 + 30 * MIN) }), expected: ['a', 'b'] },
    {
      name: 'from and to (epoch ms)',
      params: () => ({ from: String(T0 + 20 * MIN), to: String(T0 + 40 * MIN) }),
      expected: ['b', 'c'],
    },
    {
      name: 'from/to with an offset',
      params: () => ({ from: iso(T0 + 20 * MIN).replace('Z', '+00:00'), to: iso(T0 + 40 * MIN + 1) }),
      expected: ['b', 'c', 'd'],
    },
    // `a`'s LLM span starts 100 ms after the trace: the trace's start decides, not any span's.
    {
      name: 'from just after a trace start excludes it though later spans follow',
      params: () => ({ from: iso(T0 + 10 * MIN + 50), to: iso(T0 + 20 * MIN + 1) }),
      expected: ['b'],
    },
    // `e` runs until after every other trace started; `from` past e's start but before its end excludes it.
    { name: 'from/to select by start, not by overlap', params: () => ({ from: iso(T0 + 55 * MIN) }), expected: [] },
    {
      name: 'from/to with µs precision: from inclusive, to exclusive',
      params: () => ({
        from: iso(T0 + 20 * MIN).replace('Z', '000Z'),
        to: iso(T0 + 30 * MIN).replace('.000Z', '.000001Z'),
      }),
      expected: ['b', 'c'],
    },
    {
      name: 'to one µs after a start includes that trace',
      params: () => ({ to: iso(T0 + 10 * MIN).replace('.000Z', '.000001+00:00') }),
      expected: ['a'],
    },
    { name: 'min_cost is inclusive', params: () => ({ min_cost: '0.5' }), expected: ['a', 'b', 'e'] },
    { name: 'min_cost=0 matches all', params: () => ({ min_cost: '0' }), expected: ['a', 'b', 'c', 'd', 'e'] },
    { name: 'tag.<key>', params: () => ({ 'tag.env': 'prod' }), expected: ['d'] },
    { name: 'two tags', params: () => ({ 'tag.team': 'search', 'tag.env': 'staging' }), expected: ['e'] },
    { name: 'tag value that no span has', params: () => ({ 'tag.env': 'dev' }), expected: [] },
    {
      name: 'combined: model + user + status',
      params: () => ({ model: 'gpt-4o', user_id: 'user-1', status: 'ok' }),
      expected: ['a', 'e'],
    },
    {
      name: 'combined: session + from + min_cost',
      params: () => ({ session_id: 'sess-1', from: iso(T0 + 11 * MIN), min_cost: '0.5' }),
      expected: ['e'],
    },
    {
      name: 'combined: search + agent that match different traces',
      params: () => ({ search: 'needle-in-input', agent_id: 'coder' }),
      expected: [],
    },
  ]

  it.each(cases)('$name', async ({ params, expected }) => {
    const run = uniqueRun('filter')
    const seeded = await seed(filterSet(run))
    const id = Object.fromEntries(LETTERS.map((l, i) => [l, must(seeded[i], `trace ${l}`)])) as Record<Letter, string>
    const got = await listIds({ 'tag.run': run, ...params({ id }) })
    expect(sorted(got)).toEqual(sorted(expected.map((l) => id[l])))
  })
})
