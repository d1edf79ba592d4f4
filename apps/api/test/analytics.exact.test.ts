// /api/metrics and /api/cost/* against an independent computation: the project's deduplicated spans
// (`spans FINAL`, read row by row) aggregated here in TypeScript, on a generated data set over 34 days
// (so across a month boundary) with several models (one unpriced), agents, users, tags, errors and
// redeliveries (the same keys again, some moved to another day). Another project holds a copy of every
// span and must never count. Integers are compared exactly; USD to 1e-9 (float sums in another order).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertSpanRows, runQuery, SpanRow } from '@tollgate/store'
import { ids, ingest, removeDir, span, startTestApp, tempDataDir, type TestApp } from './harness.js'

const dataDir = tempDataDir()
let t: TestApp
let truth: SpanRow[] = []

const DAY = 86_400_000
const now = Date.now()
const start = Math.floor(now / DAY) * DAY - 34 * DAY
const iso = (ms: number): string => new Date(ms).toISOString()
const from = iso(start)
const to = iso(now + 60_000)
const models = ['gpt-4o', 'gpt-4o-mini', 'tollgate-unpriced-model']
const agents = [
  { id: 'planner', name: 'Planner' },
  { id: 'coder', name: 'Coder' },
  { id: 'reviewer', name: 'Reviewer' },
]

/** A deterministic mix: 34 days × 7 spans, every combination represented. */
function fixture(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (let d = 0; d < 34; d++) {
    const { traceId, spanId } = ids()
    for (let i = 0; i < 7; i++) {
      const n = d * 7 + i
      const at = start + d * DAY + ((n * 7919) % 86_000) * 1000 // spread over the day, some near midnight
      if (at > now - 5_000) continue
      const tags: Record<string, string> = { tenant: `t${n % 2}` }
      if (n % 3 !== 0) tags.feature = `f${n % 4}`
      out.push(
        span({
          trace_id: traceId,
          span_id: spanId(i),
          start_time: iso(at),
          end_time: iso(at + 200 + ((n * 37) % 3000)),
          status: n % 5 === 0 ? 'error' : 'ok',
          model: models[n % 3],
          agent: agents[n % 3 === 0 ? 0 : (n % 7) % 3],
          user_id: n % 4 === 0 ? undefined : `user-${n % 4}`,
          tags,
          stream: n % 2 === 0,
          ttft_ms: n % 2 === 0 ? 50 + (n % 17) : undefined,
          usage: { input_tokens: 100 + n, output_tokens: 10 + (n % 50), cache_read_tokens: n % 6 === 0 ? 20 : 0 },
          ...(n % 8 === 1 ? { cost: { input_usd: 0.001 * n, output_usd: 0.0005 } } : {}),
        }),
      )
    }
    // The trace's agent span: no model, no tokens, priced `unknown`, yet not an unpriced model call.
    const at = start + d * DAY + 43_000_000
    if (at <= now - 5_000)
      out.push({
        trace_id: traceId,
        span_id: spanId(7),
        name: 'agent.run',
        kind: 'agent',
        start_time: iso(at),
        end_time: iso(at + 5_000),
        status: 'ok',
        agent: agents[d % 3],
        tags: { tenant: `t${d % 2}` },
      })
  }
  return out
}

beforeAll(async () => {
  t = await startTestApp({ DATA_DIR: dataDir, DATA_RETENTION_DAYS: '90' })
  const spans = fixture()
  for (let i = 0; i < spans.length; i += 100) expect((await ingest(t, spans.slice(i, i + 100))).status).toBe(202)
  // Redeliveries: every fifth span again, half of them a day later (a different daily partition).
  const again = spans
    .filter((_, i) => i % 5 === 0)
    .map((s, i) => (i % 2 ? { ...s, start_time: iso(Date.parse(String(s.start_time)) + DAY) } : s))
  expect((await ingest(t, again)).status).toBe(202)
  truth = await runQuery(t.deps.ch, {
    name: 'test.truth',
    query: `SELECT * FROM ${t.deps.ch.table('spans')} FINAL WHERE project_id = 'default'`,
    params: {},
    schema: SpanRow,
  })
  expect(truth.length).toBe(spans.length)
  // Another project holding the same spans (and a duplicate of each): never counted for this caller.
  await insertSpanRows(
    t.deps.ch,
    [...truth, ...truth].map((r) => ({ ...r, project_id: 'other-project' })),
  )
})
afterAll(async () => {
  await t.close()
  removeDir(dataDir)
})

interface Sums {
  calls: number
  input_tokens: number
  output_tokens: number
  cache_read_tokens: number
  cost_usd: number
  unknown_cost_calls: number
}

const ms = (r: SpanRow): number => Date.parse(`${r.start_time.replace(' ', 'T')}Z`)
const inRange = (rows: SpanRow[], a: number, b: number): SpanRow[] => rows.filter((r) => ms(r) >= a && ms(r) < b)

/** Truth: group the deduplicated rows with `key` (undefined: not counted). */
function expected(rows: SpanRow[], key: (r: SpanRow) => string | undefined): Map<string, Sums> {
  const out = new Map<string, Sums>()
  for (const r of rows) {
    const k = key(r)
    if (k === undefined) continue
    const s = out.get(k) ?? {
      calls: 0,
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cost_usd: 0,
      unknown_cost_calls: 0,
    }
    s.calls++
    s.input_tokens += r.input_tokens
    s.output_tokens += r.output_tokens
    s.cache_read_tokens += r.cache_read_tokens
    s.cost_usd += r.cost_total_usd
    // A model call without a price: the span names a model or is an llm/embedding call.
    s.unknown_cost_calls +=
      r.cost_status === 'unknown' && (r.model !== '' || ['llm', 'embedding'].includes(r.kind)) ? 1 : 0
    out.set(k, s)
  }
  return out
}

/** A cost endpoint's answer, checking which tables answered it (X-Tollgate-Source). */
async function getFrom(
  path: string,
  source: string,
): Promise<{ rows: (Sums & Record<string, string>)[]; total_cost_usd: number }> {
  const res = await t.request(path)
  expect(res.status, path).toBe(200)
  expect(res.headers.get('x-tollgate-source'), path).toBe(source)
  return (await res.json()) as { rows: (Sums & Record<string, string>)[]; total_cost_usd: number }
}

function compare(
  got: { rows: (Sums & Record<string, string>)[]; total_cost_usd: number },
  want: Map<string, Sums>,
  key: (r: Record<string, string>) => string,
): void {
  expect(got.rows.map(key).sort()).toEqual([...want.keys()].sort())
  for (const row of got.rows) {
    const w = want.get(key(row))
    expect(w, key(row)).toBeDefined()
    if (!w) continue
    expect({ ...row, cost_usd: 0 }).toMatchObject({ ...w, cost_usd: 0 })
    expect(row.cost_usd).toBeCloseTo(w.cost_usd, 9)
  }
  expect(got.total_cost_usd).toBeCloseTo(
    [...want.values()].reduce((a, s) => a + s.cost_usd, 0),
    9,
  )
}

const localDate = (msValue: number, tz: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(msValue)

// Each endpoint twice: over whole hours (answered by the rollups) and over a range ending mid-hour
// (answered by the raw spans); a zone with a half-hour offset or a tag filter always reads raw spans.
const HOUR = 3_600_000
describe.each([
  { source: 'rollup', to: iso(Math.ceil((now + 60_000) / HOUR) * HOUR) },
  { source: 'spans', to },
])('GET /api/cost/* from $source equals the deduplicated raw spans', ({ source, to }) => {
  const get = (path: string) => getFrom(path, path.includes('Kolkata') || path.includes('tag.') ? 'spans' : source)
  it('has the fixture: several months, unpriced calls, redeliveries collapsed', () => {
    expect(new Set(truth.map((r) => r.start_time.slice(0, 7))).size).toBeGreaterThanOrEqual(2)
    expect(truth.some((r) => r.cost_status === 'unknown')).toBe(true)
    expect(truth.some((r) => r.cost_status === 'reported')).toBe(true)
    expect(truth.some((r) => r.kind === 'agent' && r.model === '' && r.cost_status === 'unknown')).toBe(true)
  })

  it('counts agent spans as calls but only model calls without a price as unknown_cost_calls', async () => {
    const { rows } = await get(`/api/cost/by-model?from=${from}&to=${to}`)
    const agentSpans = truth.filter((r) => r.kind === 'agent').length
    expect(rows.find((r) => r.model === '')).toMatchObject({ calls: agentSpans, unknown_cost_calls: 0 })
    const unpriced = truth.filter((r) => r.model === 'tollgate-unpriced-model' && r.cost_status === 'unknown').length
    expect(unpriced).toBeGreaterThan(0)
    expect(rows.find((r) => r.model === 'tollgate-unpriced-model')).toMatchObject({ unknown_cost_calls: unpriced })
    expect(rows.reduce((a, r) => a + r.unknown_cost_calls, 0)).toBe(unpriced)
  })

  it.each(['UTC', 'America/New_York', 'Asia/Kolkata'])('daily in %s', async (tz) => {
    const got = await get(`/api/cost/daily?from=${from}&to=${to}&tz=${tz}`)
    compare(
      got,
      expected(truth, (r) => localDate(ms(r), tz)),
      (r) => r.day ?? '',
    )
  })

  it('monthly and hourly granularity', async () => {
    const month = await get(`/api/cost/daily?from=${from}&to=${to}&granularity=month`)
    compare(
      month,
      expected(truth, (r) => r.start_time.slice(0, 7)),
      (r) => (r.day ?? '').slice(0, 7),
    )
    const hour = await get(`/api/cost/daily?from=${from}&to=${to}&group=hour`)
    compare(
      hour,
      expected(truth, (r) => `${r.start_time.slice(0, 13).replace(' ', 'T')}:00:00.000Z`),
      (r) => r.period_start ?? '',
    )
  })

  it('a range that is not whole days or hours', async () => {
    const a = start + 3 * DAY + 1_234_567
    const b = start + 20 * DAY + 7_654_321
    const got = await getFrom(`/api/cost/by-model?from=${iso(a)}&to=${iso(b)}`, 'spans')
    compare(
      got,
      expected(inRange(truth, a, b), (r) => `${r.provider}/${r.model}`),
      (r) => `${r.provider}/${r.model}`,
    )
  })

  it('by model, agent, user and tag', async () => {
    const q = `from=${from}&to=${to}`
    compare(
      await get(`/api/cost/by-model?${q}`),
      expected(truth, (r) => `${r.provider}/${r.model}`),
      (r) => `${r.provider}/${r.model}`,
    )
    compare(
      await get(`/api/cost/by-agent?${q}`),
      expected(truth, (r) => `${r.agent_id}/${r.agent_name}`),
      (r) => `${r.agent_id}/${r.agent_name}`,
    )
    compare(
      await get(`/api/cost/by-user?${q}`),
      expected(truth, (r) => r.user_id),
      (r) => r.user_id ?? '',
    )
    compare(
      await get(`/api/cost/by-tag?${q}&key=feature`),
      expected(truth, (r) => r.tags.feature),
      (r) => r.tag_value ?? '',
    )
  })

  it('timeseries per group', async () => {
    const q = `from=${from}&to=${to}`
    compare(
      await get(`/api/cost/timeseries?${q}&group=model`),
      expected(truth, (r) => `${r.start_time.slice(0, 10)} ${r.model}`),
      (r) => `${r.day} ${r.model}`,
    )
    compare(
      await get(`/api/cost/timeseries?${q}&group=tag:tenant&granularity=hour`),
      expected(truth, (r) => `${r.start_time.slice(0, 13)} ${r.tags.tenant}`),
      (r) => `${(r.period_start ?? '').slice(0, 13).replace('T', ' ')} ${r.tag_value}`,
    )
  })

  it('a tag filter narrows every cost endpoint', async () => {
    const got = await get(`/api/cost/by-agent?from=${from}&to=${to}&tag.tenant=t1`)
    compare(
      got,
      expected(
        truth.filter((r) => r.tags.tenant === 't1'),
        (r) => `${r.agent_id}/${r.agent_name}`,
      ),
      (r) => `${r.agent_id}/${r.agent_name}`,
    )
  })
})

/** Exact percentile as quantileExactInclusive defines it (linear between closest ranks). */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const v = [...values].sort((a, b) => a - b)
  const h = (v.length - 1) * p
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, v.length - 1)
  return (v[lo] ?? 0) + (h - lo) * ((v[hi] ?? 0) - (v[lo] ?? 0))
}

describe('GET /api/metrics equals the deduplicated raw spans', () => {
  it.each([
    { name: 'everything', query: '', pick: (_: SpanRow) => true },
    { name: 'one model', query: '&model=gpt-4o', pick: (r: SpanRow) => r.model === 'gpt-4o' },
    {
      name: 'an agent and a tag',
      query: '&agent_id=coder&tag.tenant=t0',
      pick: (r: SpanRow) => r.agent_id === 'coder' && r.tags.tenant === 't0',
    },
  ])('$name', async ({ query, pick }) => {
    const res = await t.request(`/api/metrics?from=${from}&to=${to}${query}`)
    expect(res.status).toBe(200)
    const got = (await res.json()) as Record<string, unknown> & {
      cost_usd: number
      latency_ms: Record<string, number>
      ttft_ms: Record<string, number>
    }
    const rows = truth.filter(pick)
    expect(rows.length).toBeGreaterThan(0)
    const errors = rows.filter((r) => r.status === 'error').length
    expect(got).toMatchObject({
      traces: new Set(rows.map((r) => r.trace_id)).size,
      spans: rows.length,
      input_tokens: rows.reduce((a, r) => a + r.input_tokens, 0),
      output_tokens: rows.reduce((a, r) => a + r.output_tokens, 0),
      error_rate: errors / rows.length,
    })
    expect(got.cost_usd).toBeCloseTo(
      rows.reduce((a, r) => a + r.cost_total_usd, 0),
      9,
    )
    const durations = rows.map((r) => r.duration_ms)
    for (const [k, p] of [
      ['p50', 0.5],
      ['p95', 0.95],
      ['p99', 0.99],
    ] as const)
      expect(got.latency_ms[k]).toBeCloseTo(percentile(durations, p) ?? NaN, 6)
    const ttft = rows.flatMap((r) => (r.ttft_ms === null ? [] : [r.ttft_ms]))
    expect(got.ttft_ms.p50).toBeCloseTo(percentile(ttft, 0.5) ?? NaN, 6)
    expect(got.ttft_ms.p95).toBeCloseTo(percentile(ttft, 0.95) ?? NaN, 6)
  })

  it('an empty window answers zeros and null percentiles; the default window is the last 24 h', async () => {
    const empty = (await (
      await t.request(`/api/metrics?from=${iso(start - 10 * DAY)}&to=${iso(start - 9 * DAY)}`)
    ).json()) as Record<string, unknown>
    expect(empty).toEqual({
      traces: 0,
      spans: 0,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      error_rate: 0,
      latency_ms: { p50: null, p95: null, p99: null },
      ttft_ms: { p50: null, p95: null },
    })
    const recent = (await (await t.request('/api/metrics')).json()) as { spans: number }
    expect(recent.spans).toBe(inRange(truth, now - DAY, now + 60_000).length)
  })
})

describe('validation', () => {
  it.each([
    ['/api/metrics?from=yesterday', 'from'],
    ['/api/metrics?limit=3', 'limit'],
    [`/api/cost/daily?tz=Mars/Olympus`, 'tz'],
    ['/api/cost/daily?granularity=year', 'granularity'],
    ['/api/cost/by-tag', 'key'],
    ['/api/cost/timeseries?group=color', 'group'],
    [`/api/cost/by-model?from=${to}&to=${from}`, 'from'],
  ])('%s → 400 naming %s', async (path, field) => {
    const res = await t.request(path)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(((await res.json()) as { detail: string }).detail).toContain(field)
  })
})
