import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import type { ClickHouse } from './client.js'

export const DEFAULT_CLICKHOUSE_MIGRATIONS = fileURLToPath(
  new URL('../../../../migrations/clickhouse/', import.meta.url),
)

const Applied = z.object({ version: z.coerce.number() })

/** Applies `NNNN_*.sql` files above the highest recorded version, in order, each recorded once done. */
export async function migrateClickHouse(ch: ClickHouse, dir = DEFAULT_CLICKHOUSE_MIGRATIONS): Promise<number[]> {
  const journal = ch.table('schema_migrations')
  await ch.client.command({
    query: `CREATE TABLE IF NOT EXISTS ${journal} (version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
            ENGINE = ReplacingMergeTree ORDER BY version`,
  })
  const rows = await (
    await ch.client.query({ query: `SELECT version FROM ${journal} FINAL`, format: 'JSONEachRow' })
  ).json()
  const applied = new Set(rows.map((r) => Applied.parse(r).version))

  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
  const done: number[] = []
  for (const file of files) {
    const version = Number(file.slice(0, 4))
    if (applied.has(version)) continue
    const sql = readFileSync(`${dir}/${file}`, 'utf8').replaceAll('{{db}}', ch.database)
    for (const { statement, when } of splitStatements(sql)) {
      if (when && !(await holds(ch, when))) continue
      await ch.client.command({ query: statement })
    }
    await ch.client.insert({ table: journal, values: [{ version, name: file }], format: 'JSONEachRow' })
    done.push(version)
  }
  return done
}

interface Statement {
  statement: string
  /** `-- @when <query>`: run the statement only if the query's first value is non-zero (migrations/README.md). */
  when: string | null
}

function splitStatements(sql: string): Statement[] {
  return sql
    .split(/;\s*$/m)
    .map((chunk) => {
      const when = /^\s*-- @when (.+)$/m.exec(chunk)?.[1]?.trim() ?? null
      return { statement: chunk.replace(/^\s*--.*$/gm, '').trim(), when }
    })
    .filter((s) => s.statement.length > 0)
}

async function holds(ch: ClickHouse, query: string): Promise<boolean> {
  const rows = await (await ch.client.query({ query, format: 'JSONCompactEachRow' })).json<unknown[]>()
  const first = rows[0]?.[0]
  return first !== undefined && Number(first) !== 0
}

/**
 * The retention horizon DATA_RETENTION_DAYS may set. Every TTL is `<DateTime64 column> + INTERVAL N
 * DAY`, 64-bit arithmetic that stays exact to year 2299 from any start time the edge accepts; the
 * bound keeps `now + N` well inside that range. (0001's `toDateTime(start_time) + N DAY` was 32-bit and
 * wrapped past 2106, which deleted every span.)
 */
export const MAX_RETENTION_DAYS = 36_500

/** Tables whose rows expire with the spans they come from, and the time column their TTL reads. */
const RETAINED: ReadonlyArray<readonly [string, string]> = [
  ['spans', 'start_time'],
  ['span_keys', 'start_time'],
  ['trace_index', 'start_time'],
  ['cost_hourly', 'hour'],
  ['cost_hourly_user', 'hour'],
  ['cost_hourly_tag', 'hour'],
]

/**
 * Keeps every TTL equal to `DATA_RETENTION_DAYS`; returns the tables it changed. Refuses a value
 * outside 1..MAX_RETENTION_DAYS, and checks with the engine that the horizon lies in the future before
 * any TTL changes, so a bad value can stop the start but never expire data.
 */
export async function applyRetention(ch: ClickHouse, days: number): Promise<string[]> {
  if (!Number.isSafeInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
    throw new RangeError(`retention must be 1..${MAX_RETENTION_DAYS} days, got ${days}`)
  }
  const check = await ch.client.query({
    query: `SELECT toUnixTimestamp64Micro(now64(6, 'UTC') + INTERVAL ${days} DAY) - toUnixTimestamp64Micro(now64(6, 'UTC')) = ${days} * 86400000000 AS ok`,
    format: 'JSONEachRow',
  })
  const [verdict] = z.array(z.object({ ok: z.coerce.number() })).parse(await check.json())
  if (verdict?.ok !== 1) throw new RangeError(`retention of ${days} days does not fit the engine's time range`)

  const res = await ch.client.query({
    query: 'SELECT name, create_table_query AS q FROM system.tables WHERE database = {db:String}',
    query_params: { db: ch.database },
    format: 'JSONEachRow',
  })
  const tables = new Map(
    z
      .array(z.object({ name: z.string(), q: z.string() }))
      .parse(await res.json())
      .map((t) => [t.name, t.q]),
  )
  const changed: string[] = []
  for (const [table, column] of RETAINED) {
    const ddl = tables.get(table)
    if (ddl === undefined) continue
    if (ddl.includes(`TTL ${column} + toIntervalDay(${days})`)) continue
    // Parts written from now on carry the new TTL at once. Existing parts learn it from a background
    // mutation that is not waited for (materialising in the ALTER took ~170 ms per part: 26 s at 150
    // daily partitions). With ttl_only_drop_parts the mutation only recomputes TTL info and drops
    // parts wholly expired; nothing is rewritten.
    await ch.client.command({
      query: `ALTER TABLE ${ch.table(table)} MODIFY TTL ${column} + INTERVAL ${days} DAY`,
      clickhouse_settings: { materialize_ttl_after_modify: 0 },
    })
    await ch.client.command({
      query: `ALTER TABLE ${ch.table(table)} MATERIALIZE TTL`,
      clickhouse_settings: { mutations_sync: '0' },
    })
    changed.push(table)
  }
  return changed
}
