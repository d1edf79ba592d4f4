// Retention at its bounds: the TTL is DateTime64 arithmetic, so the longest retention cannot wrap
// around and expire everything (0001's 32-bit `toDateTime(start_time) + N DAY` did at ≥ ~29,000 days),
// the shortest drops whole expired days only, and a value out of range changes nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  applyRetention,
  connectClickHouse,
  insertSpanRows,
  MAX_RETENTION_DAYS,
  migrateClickHouse,
  runQuery,
  type ClickHouse,
  type SpanRow,
} from '../src/index.js'
import { blankSpanRow } from './span-row.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-retention-'))
let ch: ClickHouse
beforeAll(async () => {
  ch = await connectClickHouse({ database: 'tollgate', dataDir: dir })
  await migrateClickHouse(ch)
})
afterAll(async () => {
  await ch.close()
  rmSync(dir, { recursive: true, force: true })
})

const DAY = 86_400_000
const row = (n: number, startMs: number): SpanRow => blankSpanRow(n, startMs)

async function stored(): Promise<number[]> {
  const rows = await runQuery(ch, {
    name: 'test.stored',
    query: `SELECT reinterpretAsUInt64(reverse(unhex(substring(trace_id, 17)))) AS n FROM ${ch.table('spans')} FINAL WHERE project_id = 'default' ORDER BY n`,
    params: {},
    schema: z.object({ n: z.coerce.number() }),
  })
  return rows.map((r) => r.n)
}

/** Lets the background TTL mutation finish, then merges: whatever TTL would remove is gone after this. */
async function expire(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const [pending] = await runQuery(ch, {
      name: 'test.mutations',
      query: `SELECT count() AS n FROM system.mutations WHERE database = 'tollgate' AND NOT is_done`,
      params: {},
      schema: z.object({ n: z.coerce.number() }),
    })
    if (pending?.n === 0) break
    await new Promise((r) => setTimeout(r, 100))
  }
  await ch.client.command({ query: `OPTIMIZE TABLE ${ch.table('spans')} FINAL` })
}

const ttlOf = async (): Promise<string> => {
  const [r] = await runQuery(ch, {
    name: 'test.ttl',
    query: `SELECT create_table_query AS q FROM system.tables WHERE database = 'tollgate' AND name = 'spans'`,
    params: {},
    schema: z.object({ q: z.string() }),
  })
  return /TTL (.*?) SETTINGS/.exec(r?.q ?? '')?.[1] ?? 'none'
}

describe('applyRetention', () => {
  const now = Date.now()
  beforeAll(async () => {
    // 1 and 2: 2000-01-01 and 2020-06-01 (what a 36,500-day retention keeps); 3: three days back; 4: now.
    await insertSpanRows(ch, [
      row(1, Date.UTC(2000, 0, 1)),
      row(2, Date.UTC(2020, 5, 1)),
      row(3, now - 3 * DAY),
      row(4, now),
    ])
  })

  it.each([0, -1, MAX_RETENTION_DAYS + 1, 1.5, Number.NaN])(
    'refuses %s days and leaves the TTL alone',
    async (days) => {
      const before = await ttlOf()
      await expect(applyRetention(ch, days)).rejects.toThrow(RangeError)
      expect(await ttlOf()).toBe(before)
    },
  )

  it(`keeps spans from 2000 under the longest retention (${MAX_RETENTION_DAYS} days), after merges`, async () => {
    expect(await applyRetention(ch, MAX_RETENTION_DAYS)).toEqual([
      'spans',
      'span_keys',
      'trace_index',
      'cost_hourly',
      'cost_hourly_user',
      'cost_hourly_tag',
    ])
    expect(await ttlOf()).toBe(`start_time + toIntervalDay(${MAX_RETENTION_DAYS})`)
    await expire()
    expect(await stored()).toEqual([1, 2, 3, 4])
    expect(await applyRetention(ch, MAX_RETENTION_DAYS)).toEqual([])
  })

  it('drops the expired days, and only them, under the shortest retention (1 day)', async () => {
    await applyRetention(ch, 1)
    await expire()
    expect(await stored()).toEqual([4])
  })
})
