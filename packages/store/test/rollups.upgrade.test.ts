// A data directory migrated up to 0004 (rollups without `unknown_cost_calls` and, per user and tag,
// without `cache_read_tokens`) starts under 0005: the rollups are backfilled with the new columns, the
// re-created views fill them for new spans, and every cost breakdown from the rollups equals the one
// from the raw spans.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import {
  connectClickHouse,
  costBreakdown,
  DEFAULT_CLICKHOUSE_MIGRATIONS,
  insertSpanRows,
  migrateClickHouse,
  refreshRecentRollups,
  type CostInput,
  type SpanRow,
} from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-0005-'))
const before = join(dir, 'migrations-0004')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const DAY = 86_400_000
const HOUR = 3_600_000
const ts = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
const now = Math.floor(Date.now() / HOUR) * HOUR

function row(trace: number, span: number, startMs: number, extra: Partial<SpanRow> = {}): SpanRow {
  return {
    project_id: 'default',
    trace_id: trace.toString(16).padStart(32, '0'),
    span_id: span.toString(16).padStart(16, '0'),
    parent_span_id: '',
    name: `t${trace}`,
    kind: 'llm',
    start_time: ts(startMs),
    end_time: ts(startMs + 1000),
    duration_ms: 1000,
    status: 'ok',
    error_message: '',
    provider: 'openai',
    model: 'gpt-4o',
    response_model: '',
    operation: 'chat',
    stream: false,
    ttft_ms: null,
    input_tokens: 10,
    output_tokens: 5,
    total_tokens: 15,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_input_usd: 0.25,
    cost_output_usd: 0.25,
    cost_total_usd: 0.5,
    cost_status: 'reported',
    price_source: 'reported',
    agent_id: '',
    agent_name: '',
    agent_role: '',
    agent_parent_id: '',
    user_id: 'u1',
    session_id: '',
    tags: { env: 'prod' },
    input: 'hello migrated world',
    output: '',
    input_truncated: false,
    output_truncated: false,
    attributes: {},
    pii_detected: false,
    pii_types: [],
    injection_attempt: false,
    sampled: false,
    prompt_sha256: '',
    source: 'native',
    ingested_at: ts(startMs + 2000),
    ...extra,
  }
}

it('backfills and keeps the new rollup columns equal to the raw spans', async () => {
  mkdirSync(before)
  for (const f of readdirSync(DEFAULT_CLICKHOUSE_MIGRATIONS).filter((f) => /^000[1-4]_/.test(f)))
    copyFileSync(join(DEFAULT_CLICKHOUSE_MIGRATIONS, f), join(before, f))
  const dataDir = join(dir, 'data')
  let ch = await connectClickHouse({ database: 'tollgate', dataDir })
  expect(await migrateClickHouse(ch, before)).toEqual([1, 2, 3, 4])
  const old = Array.from({ length: 40 }, (_, i) =>
    row(i + 1, 1, now - (i % 10) * DAY - (i % 5) * HOUR, {
      cache_read_tokens: i % 3,
      cost_status: i % 4 === 0 ? 'unknown' : 'reported',
      cost_total_usd: i % 4 === 0 ? 0 : 0.5,
      user_id: `u${i % 3}`,
      tags: { feature: `f${i % 2}` },
      model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
    }),
  )
  await insertSpanRows(ch, old)
  await ch.close()

  ch = await connectClickHouse({ database: 'tollgate', dataDir })
  try {
    expect(await migrateClickHouse(ch)).toContain(5)
    const fresh = Array.from({ length: 10 }, (_, i) =>
      row(100 + i, 1, now - i * HOUR, {
        cache_read_tokens: 7,
        cost_status: i % 2 ? 'unknown' : 'computed',
        tags: { feature: 'f1' },
      }),
    )
    await insertSpanRows(ch, fresh)
    const range = { projectId: 'default', fromUs: (now - 20 * DAY) * 1000, toUs: (now + HOUR) * 1000 }
    const inputs: CostInput[] = [
      { ...range, granularity: 'day' },
      { ...range, group: 'model' },
      { ...range, group: 'user' },
      { ...range, group: 'tag', tagKey: 'feature' },
      { ...range, granularity: 'hour', group: 'agent' },
    ]
    const check = async () => {
      for (const input of inputs) {
        const rollup = await costBreakdown(ch, { ...input, source: 'rollup' })
        const spans = await costBreakdown(ch, { ...input, source: 'spans' })
        expect(rollup.rows.length, JSON.stringify(input)).toBeGreaterThan(0)
        expect(rollup.rows, JSON.stringify(input)).toEqual(spans.rows)
        expect(rollup.rows.reduce((a, r) => a + r.unknown_cost_calls, 0)).toBe(15)
        if (input.group !== 'tag')
          expect(rollup.rows.reduce((a, r) => a + r.cache_read_tokens, 0)).toBe(
            old.reduce((a, r) => a + r.cache_read_tokens, 0) + 70,
          )
      }
    }
    await check()
    // The refresh's recompute queries insert by position: they must match the new column order.
    expect((await refreshRecentRollups(ch, { sinceHours: 24 * 12 })).uneven).toEqual([])
    await check()
  } finally {
    await ch.close()
  }
})
