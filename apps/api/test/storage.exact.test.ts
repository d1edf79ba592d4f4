// Idempotency (docs/architecture.md) on the v2 storage: each (project, trace_id, span_id) counts once in the trace list, a trace's
// spans and every rollup, whatever day or month its deliveries carry, however many arrive at once,
// across a restart, and before and after merges. Real engines (chDB + PGlite), deliveries over the
// ingest route (its batch-store verb drops keys already stored).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  costByModel,
  costByTag,
  costByUser,
  insertSpanRows,
  refreshRecentRollups,
  runQuery,
  SpanRow,
} from '@tollgate/store'
import { ids, ingest, removeDir, span, startTestApp, tempDataDir, type TestApp } from './harness.js'

const dataDir = tempDataDir()
let t: TestApp
// Deliveries 36 days back must be inside the retention, or the edge rejects them.
const env = { DATA_DIR: dataDir, DATA_RETENTION_DAYS: '90' }
beforeAll(async () => {
  t = await startTestApp(env)
})
afterAll(async () => {
  await t.close()
  removeDir(dataDir)
})

const DAY = 86_400_000
const iso = (ms: number): string => new Date(ms).toISOString()
const now = Date.now()
// Whole UTC days back, so a "month" apart is always another month and another daily partition.
const startOfDay = (ms: number): number => Math.floor(ms / DAY) * DAY
const within = { fromUs: (startOfDay(now) - 40 * DAY) * 1000, toUs: (startOfDay(now) + 2 * DAY) * 1000 }

async function listed(model: string): Promise<{ span_count: number; total_cost_usd: number; input_tokens: number }[]> {
  const res = await t.request(`/api/traces?model=${model}&from=${iso(within.fromUs / 1000)}`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { traces: { span_count: number; total_cost_usd: number; input_tokens: number }[] })
    .traces
}

async function spansOf(traceId: string): Promise<number> {
  const res = await t.request(`/api/traces/${traceId}/spans`)
  return res.status === 404 ? 0 : ((await res.json()) as { spans: unknown[] }).spans.length
}

/** Every rollup's view of one model (each test uses its own model, user and tag value). */
async function rolled(
  model: string,
  user: string,
  tagValue: string,
): Promise<{ calls: number; cost: number; userCost: number; tagCost: number; tokens: number }> {
  const byModel = (await costByModel(t.deps.ch, 'default', within)).filter((r) => r.model === model)
  const byUser = (await costByUser(t.deps.ch, 'default', within)).filter((r) => r.user_id === user)
  const byTag = (await costByTag(t.deps.ch, 'default', 'case', within)).filter((r) => r.tag_value === tagValue)
  return {
    calls: byModel.reduce((a, r) => a + r.calls, 0),
    tokens: byModel.reduce((a, r) => a + r.input_tokens, 0),
    cost: byModel.reduce((a, r) => a + r.cost_usd, 0),
    userCost: byUser.reduce((a, r) => a + r.cost_usd, 0),
    tagCost: byTag.reduce((a, r) => a + r.cost_usd, 0),
  }
}

async function optimize(): Promise<void> {
  for (const table of ['spans', 'trace_index', 'cost_hourly', 'cost_hourly_user', 'cost_hourly_tag']) {
    await t.deps.ch.client.command({ query: `OPTIMIZE TABLE ${t.deps.ch.table(table)} FINAL` })
  }
}

/** One span of cost 0.5 and 100 input tokens, tagged so that each rollup can be read for it alone. */
function priced(label: string, startMs: number, traceId: string, spanId: string): Record<string, unknown> {
  return span({
    trace_id: traceId,
    span_id: spanId,
    model: `m-${label}`,
    user_id: `u-${label}`,
    tags: { case: label },
    start_time: iso(startMs),
    end_time: iso(startMs + 1000),
    cost: { input_usd: 0.5, output_usd: 0, total_usd: 0.5 },
  })
}

async function expectOnce(label: string, traceId: string): Promise<void> {
  expect(await listed(`m-${label}`)).toEqual([
    expect.objectContaining({ span_count: 1, total_cost_usd: 0.5, input_tokens: 100 }),
  ])
  expect(await spansOf(traceId)).toBe(1)
  expect(await rolled(`m-${label}`, `u-${label}`, label)).toEqual({
    calls: 1,
    tokens: 100,
    cost: 0.5,
    userCost: 0.5,
    tagCost: 0.5,
  })
}

describe('a redelivered span counts once in lists, spans and rollups', () => {
  it.each([
    { name: 'same start (same day)', shiftMs: 0 },
    { name: 'start in another day', shiftMs: DAY + 3_600_000 },
    { name: 'start in another month', shiftMs: 35 * DAY },
  ])('$name, before and after merges', async ({ name, shiftMs }) => {
    const label = `redeliver-${name.replace(/\W+/g, '-')}`
    const { traceId, spanId } = ids()
    const first = startOfDay(now) - 36 * DAY + 3_600_000
    expect((await ingest(t, [priced(label, first + shiftMs, traceId, spanId(1))])).status).toBe(202)
    expect((await ingest(t, [priced(label, first, traceId, spanId(1))])).status).toBe(202)
    await expectOnce(label, traceId)
    await optimize()
    await expectOnce(label, traceId)
  })

  it('five concurrent deliveries of the same batch', async () => {
    const label = 'concurrent'
    const { traceId, spanId } = ids()
    const body = [priced(label, now - 3_600_000, traceId, spanId(1))]
    const answers = await Promise.all(Array.from({ length: 5 }, () => ingest(t, body)))
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202])
    await expectOnce(label, traceId)
    await optimize()
    await expectOnce(label, traceId)
  })

  it('after a restart on the same data directory', async () => {
    const label = 'restart'
    const { traceId, spanId } = ids()
    const body = [priced(label, now - 2 * 3_600_000, traceId, spanId(1))]
    expect((await ingest(t, body)).status).toBe(202)
    await t.close()
    t = await startTestApp(env)
    expect(
      (
        await ingest(t, [
          { ...body[0], start_time: iso(now - 40 * 3_600_000), end_time: iso(now - 40 * 3_600_000 + 5) },
        ])
      ).status,
    ).toBe(202)
    await expectOnce(label, traceId)
  })
})

describe('identical rows that get past the key lookup (a crash replay racing it)', () => {
  it('collapse in raw reads at once; rollups are exact again after refreshRecentRollups', async () => {
    const label = 'replayed'
    const { traceId, spanId } = ids()
    expect((await ingest(t, [priced(label, now - 5 * 3_600_000, traceId, spanId(1))])).status).toBe(202)
    const [row] = await runQuery(t.deps.ch, {
      name: 'test.stored_row',
      query: `SELECT * FROM ${t.deps.ch.table('spans')} WHERE project_id = 'default' AND trace_id = {trace:String}`,
      params: { trace: traceId },
      schema: SpanRow,
    })
    if (!row) throw new Error('expected the stored row')
    await insertSpanRows(t.deps.ch, [row]) // the same row again, past the verb: what a race would leave
    expect(await listed(`m-${label}`)).toEqual([expect.objectContaining({ span_count: 1, total_cost_usd: 0.5 })])
    expect(await spansOf(traceId)).toBe(1)
    // The views saw the second insert: this is the drift the refresh exists for.
    expect((await rolled(`m-${label}`, `u-${label}`, label)).calls).toBe(2)
    expect((await refreshRecentRollups(t.deps.ch, { sinceHours: 24 })).uneven).toEqual([])
    await expectOnce(label, traceId)
    await optimize()
    await expectOnce(label, traceId)
  })

  it('a refresh changes nothing where the views were exact', async () => {
    const totals = async () =>
      (await costByModel(t.deps.ch, 'default', within))
        .map((r) => `${r.day} ${r.model} ${r.calls} ${r.input_tokens} ${r.cost_usd.toFixed(9)}`)
        .sort()
    const before = await totals()
    expect(before.length).toBeGreaterThan(0)
    expect((await refreshRecentRollups(t.deps.ch, { sinceHours: 40 * 24 })).uneven).toEqual([])
    expect(await totals()).toEqual(before)
  })
})
