// Budget spend (what GET /api/policy reports) from the hourly rollups for a window's whole hours and
// from the deduplicated spans for its partial hours equals the spend over the raw spans alone, for
// every scope and window shape; a row planted in a rollup shows that the whole hours really are read
// from it (and that tenant scopes, which no rollup can answer, never are).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  connectClickHouse,
  insertSpanRows,
  migrateClickHouse,
  spendByScope,
  type ClickHouse,
  type SpanRow,
  type SpendScope,
} from '../src/index.js'
import { blankSpanRow, chTime } from './span-row.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-spend-'))
let ch: ClickHouse
const HOUR = 3_600_000
const DAY = 24 * HOUR
const now = Date.now()
const ts = chTime
const rows: SpanRow[] = []

function row(n: number, startMs: number, extra: Partial<SpanRow>): SpanRow {
  return blankSpanRow(n, startMs, {
    name: 'chat',
    end_time: ts(startMs + 500),
    duration_ms: 500,
    provider: 'openai',
    model: 'gpt-4o',
    operation: 'chat',
    input_tokens: 100 + (n % 37),
    output_tokens: 10 + (n % 11),
    total_tokens: 110 + (n % 37) + (n % 11),
    cost_input_usd: 0.001 * (n % 13),
    cost_output_usd: 0.0005,
    cost_total_usd: 0.001 * (n % 13) + 0.0005,
    cost_status: 'computed',
    price_source: 'test',
    agent_id: `agent-${n % 3}`,
    agent_name: `Agent ${n % 3}`,
    ingested_at: ts(startMs + 1000),
    ...extra,
  })
}

beforeAll(async () => {
  ch = await connectClickHouse({ database: 'tollgate', dataDir: join(dir, 'data') })
  await migrateClickHouse(ch)
  // 400 spans over the last 40 days, denser in the last two hours (the partial hours of every window).
  for (let n = 0; n < 400; n++) {
    const back = n % 4 === 0 ? (n * 7_919_000) % (2 * HOUR) : (n * 86_413_000) % (40 * DAY)
    const tags: Record<string, string> =
      n % 5 === 0 ? { tenant_id: 'acme', run: 'r1' } : { tenant: ['acme', 'globex'][n % 2] ?? '', feature: `f${n % 3}` }
    if (n % 7 === 0) tags.tenant_id = 'globex'
    rows.push(row(n + 1, now - back - 1000, { tags }))
  }
  // Another project's copy never counts.
  await insertSpanRows(ch, [...rows, ...rows.map((r) => ({ ...r, project_id: 'other' }))])
}, 120_000)
afterAll(async () => {
  await ch?.close()
  rmSync(dir, { recursive: true, force: true })
})

const toUs = (now + 5 * 60_000) * 1000
const starts = {
  month: Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1),
  day: Math.floor(now / DAY) * DAY,
  hour: Math.floor(now / HOUR) * HOUR,
  rolling_1h: now - HOUR,
  rolling_24h: now - DAY,
  rolling_40d: now - 40 * DAY - 1234,
}
const scopes: Omit<SpendScope, 'fromUs'>[] = [
  { scope: 'global' },
  { scope: 'agent', scopeValue: 'agent-1' },
  { scope: 'agent', scopeValue: 'Agent 2' },
  { scope: 'tenant', scopeValue: 'acme' },
  { scope: 'tenant', scopeValue: 'globex' },
  { scope: 'customer', scopeValue: 'acme' },
  { scope: 'feature', scopeValue: 'f1' },
  { scope: 'tag', tagKey: 'run', scopeValue: 'r1' },
  { scope: 'tag', tagKey: 'run', scopeValue: 'nothing' },
]
const all: SpendScope[] = Object.values(starts).flatMap((fromMs) =>
  scopes.map((s) => ({ ...s, fromUs: fromMs * 1000 })),
)

/** The policy package's `matches`, over the rows kept here. */
function truth(s: SpendScope): { usd: number; tokens: number } {
  const v = s.scopeValue ?? ''
  const tagIs = (r: SpanRow, k: string) => k in r.tags && r.tags[k] === v
  const match = (r: SpanRow): boolean => {
    switch (s.scope) {
      case 'global':
        return true
      case 'agent':
        return r.agent_id === v || r.agent_name === v
      case 'tenant':
        return tagIs(r, 'tenant') || (!('tenant' in r.tags) && tagIs(r, 'tenant_id'))
      case 'customer':
        return tagIs(r, 'customer') || (!('customer' in r.tags) && tagIs(r, 'customer_id'))
      case 'feature':
        return tagIs(r, 'feature')
      case 'tag':
        return tagIs(r, s.tagKey ?? '')
    }
  }
  const mine = rows.filter((r) => {
    const at = Date.parse(`${r.start_time.replace(' ', 'T')}Z`) * 1000
    return at >= s.fromUs && at < toUs && match(r)
  })
  return {
    usd: mine.reduce((a, r) => a + r.cost_total_usd, 0),
    tokens: mine.reduce((a, r) => a + r.input_tokens + r.output_tokens, 0),
  }
}

it('equals the raw spans for every scope and window, whole hours from the rollups', async () => {
  const auto = await spendByScope(ch, 'default', all, toUs, { nowUs: now * 1000 })
  const raw = await spendByScope(ch, 'default', all, toUs, { source: 'spans' })
  expect(all.length).toBe(54)
  for (const [i, s] of all.entries()) {
    const want = truth(s)
    const label = JSON.stringify(s)
    expect(auto[i]?.tokens, label).toBe(want.tokens)
    expect(raw[i]?.tokens, label).toBe(want.tokens)
    expect(auto[i]?.usd, label).toBeCloseTo(want.usd, 9)
    expect(raw[i]?.usd, label).toBeCloseTo(want.usd, 9)
  }
  // The fixture has spend in both kinds of hours for the global month window.
  expect(truth({ scope: 'global', fromUs: starts.hour * 1000 }).tokens).toBeGreaterThan(0)
  expect(truth({ scope: 'global', fromUs: starts.rolling_40d * 1000 }).tokens).toBeGreaterThan(
    truth({ scope: 'global', fromUs: starts.hour * 1000 }).tokens,
  )
})

it('reads whole hours from the rollups: a planted rollup row counts there and only there', async () => {
  const old = Math.floor((now - 3 * DAY) / HOUR) * HOUR
  await ch.client.command({
    query: `INSERT INTO tollgate.cost_hourly (project_id, hour, provider, model, agent_id, agent_name, calls, input_tokens, output_tokens, cost_usd)
            VALUES ('default', '${ts(old)}', 'openai', 'gpt-4o', 'agent-1', 'Agent 1', 1, 1000000, 0, 1000)`,
  })
  await ch.client.command({
    query: `INSERT INTO tollgate.cost_hourly_tag (project_id, hour, tag_key, tag_value, calls, input_tokens, output_tokens, cost_usd)
            VALUES ('default', '${ts(old)}', 'tenant', 'acme', 1, 1000000, 0, 1000)`,
  })
  const probe: SpendScope[] = [
    { scope: 'global', fromUs: starts.rolling_40d * 1000 },
    { scope: 'agent', scopeValue: 'agent-1', fromUs: starts.rolling_40d * 1000 },
    { scope: 'agent', scopeValue: 'agent-2', fromUs: starts.rolling_40d * 1000 },
    { scope: 'tenant', scopeValue: 'acme', fromUs: starts.rolling_40d * 1000 },
    { scope: 'global', fromUs: starts.rolling_24h * 1000 },
  ]
  const auto = await spendByScope(ch, 'default', probe, toUs)
  const raw = await spendByScope(ch, 'default', probe, toUs, { source: 'spans' })
  expect(auto.map((a, i) => a.tokens - (raw[i]?.tokens ?? 0))).toEqual([1_000_000, 1_000_000, 0, 0, 0])
  expect(auto[0]?.usd).toBeCloseTo((raw[0]?.usd ?? 0) + 1000, 6)

  // The hour in progress (nowUs) is read raw even when the window runs past its end.
  const current = Math.floor(now / HOUR) * HOUR
  await ch.client.command({
    query: `INSERT INTO tollgate.cost_hourly (project_id, hour, provider, model, agent_id, agent_name, calls, input_tokens, output_tokens, cost_usd)
            VALUES ('default', '${ts(current)}', 'openai', 'gpt-4o', 'agent-1', 'Agent 1', 1, 7, 0, 0)`,
  })
  const inProgress: SpendScope[] = [{ scope: 'global', fromUs: (current - HOUR) * 1000 }]
  const end = (current + 2 * HOUR) * 1000
  const rawNow = await spendByScope(ch, 'default', inProgress, end, { source: 'spans' })
  const withNow = await spendByScope(ch, 'default', inProgress, end, { nowUs: now * 1000 })
  const withoutNow = await spendByScope(ch, 'default', inProgress, end)
  expect(withNow[0]?.tokens).toBe(rawNow[0]?.tokens)
  expect(withoutNow[0]?.tokens).toBe((rawNow[0]?.tokens ?? 0) + 7)
})
