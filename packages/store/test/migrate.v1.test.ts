// A data directory written by the previous release (0001's monthly `spans`, its TTL, its rows, including
// the cross-month duplicate it let through) starts under the new schema with every span still there:
// one row per key (the latest delivery), the derived tables backfilled, reads and rollups exact.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  applyRetention,
  connectClickHouse,
  costByModel,
  DEFAULT_CLICKHOUSE_MIGRATIONS,
  insertSpanRows,
  listTraces,
  migrateClickHouse,
  runQuery,
  type ClickHouse,
  type SpanRow,
} from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-v1-'))
const v1Migrations = join(dir, 'migrations-v1')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const DAY = 86_400_000
const ts = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
const now = Math.floor(Date.now() / DAY) * DAY + 12 * 3_600_000

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

const Count = z.object({ n: z.coerce.number() })
const count = (ch: ClickHouse, sql: string): Promise<number> =>
  runQuery(ch, { name: 'test.count', query: sql, params: {}, schema: Count }).then((r) => r[0]?.n ?? -1)

// Migrating 150 daily partitions (0006 materialises projections part by part) takes a minute or more
// on a loaded 2-core machine.
describe('a data directory of the previous release', { timeout: 240_000 }, () => {
  it('keeps every span, merges its duplicates and backfills the derived tables', async () => {
    // The previous release: 0001 only, its retention ALTER, 150 traces over 150 days (150 daily
    // partitions from one monthly table), a redelivery in the same month with a later ingested_at and
    // one whose start moved to another month.
    mkdirSync(v1Migrations)
    copyFileSync(join(DEFAULT_CLICKHOUSE_MIGRATIONS, '0001_spans.sql'), join(v1Migrations, '0001_spans.sql'))
    let ch = await connectClickHouse({ database: 'tollgate', dataDir: dir })
    expect(await migrateClickHouse(ch, v1Migrations)).toEqual([1])
    await ch.client.command({
      query: `ALTER TABLE ${ch.table('spans')} MODIFY TTL toDateTime(start_time) + toIntervalDay(365)`,
    })
    const rows = Array.from({ length: 150 }, (_, i) => row(i + 1, 1, now - i * DAY))
    await insertSpanRows(ch, rows.slice(0, 90))
    await insertSpanRows(ch, rows.slice(90))
    await insertSpanRows(ch, [row(1, 1, now, { status: 'error', ingested_at: ts(now + 60_000) })])
    await insertSpanRows(ch, [row(2, 1, now - 40 * DAY, { ingested_at: ts(now + 60_000) })])
    expect(await count(ch, `SELECT count() AS n FROM ${ch.table('spans')}`)).toBe(152)
    await ch.close()

    ch = await connectClickHouse({ database: 'tollgate', dataDir: dir })
    try {
      // Every migration after 0001, in order (a new migration extends this list).
      expect(await migrateClickHouse(ch)).toEqual([2, 3, 4, 5, 6, 7])
      expect(await applyRetention(ch, 365)).toContain('spans')
      const spans = ch.table('spans')
      expect(await count(ch, `SELECT count() AS n FROM ${spans} FINAL`)).toBe(150)
      expect(await count(ch, `SELECT count() AS n FROM ${spans}`)).toBe(150)
      // 150 days, less the one trace 2's redelivery left for the day of trace 41.
      expect(await count(ch, `SELECT uniqExact(toYYYYMMDD(start_time)) AS n FROM ${spans}`)).toBe(149)
      // The latest delivery of each key won: trace 1's error, trace 2's start 40 days back.
      expect(await count(ch, `SELECT countIf(status = 'error') AS n FROM ${spans}`)).toBe(1)
      expect(
        await count(
          ch,
          `SELECT count() AS n FROM ${spans} WHERE trace_id = '${(2).toString(16).padStart(32, '0')}' AND start_time < now64() - INTERVAL 39 DAY`,
        ),
      ).toBe(1)
      expect(await count(ch, `SELECT count() AS n FROM ${ch.table('span_keys')} FINAL`)).toBe(150)
      expect(await count(ch, `SELECT uniqExact(trace_id) AS n FROM ${ch.table('trace_index')}`)).toBe(150)
      const byModel = await costByModel(ch, 'default', { fromUs: (now - 400 * DAY) * 1000, toUs: (now + DAY) * 1000 })
      expect(byModel.reduce((a, r) => a + r.calls, 0)).toBe(150)
      expect(byModel.reduce((a, r) => a + r.cost_usd, 0)).toBeCloseTo(75, 9)
      const page = await listTraces(ch, {
        projectId: 'default',
        filter: {},
        sort: 'time',
        order: 'desc',
        limit: 10,
        offset: 0,
      })
      expect(page.total).toBe(150)
      // Newest first; t2 now starts 40 days back.
      expect(page.traces.map((t) => t.name)).toEqual(['t1', 't3', 't4', 't5', 't6', 't7', 't8', 't9', 't10', 't11'])
      // Re-running finds nothing to do, and a second start changes no TTL.
      expect(await migrateClickHouse(ch)).toEqual([])
      expect(await applyRetention(ch, 365)).toEqual([])
    } finally {
      await ch.close()
    }
  })
})
