import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import type { ClickHouse } from './client.js'

export const DEFAULT_CLICKHOUSE_MIGRATIONS = fileURLToPath(new URL('../../../../migrations/clickhouse/', import.meta.url))

const Applied = z.object({ version: z.coerce.number() })

/** Applies `NNNN_*.sql` files above the highest recorded version, in order, each recorded once done. */
export async function migrateClickHouse(ch: ClickHouse, dir = DEFAULT_CLICKHOUSE_MIGRATIONS): Promise<number[]> {
  const journal = ch.table('schema_migrations')
  await ch.client.command({
    query: `CREATE TABLE IF NOT EXISTS ${journal} (version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
            ENGINE = ReplacingMergeTree ORDER BY version`,
  })
  const rows = await (await ch.client.query({ query: `SELECT version FROM ${journal} FINAL`, format: 'JSONEachRow' })).json()
  const applied = new Set(rows.map((r) => Applied.parse(r).version))

  const files = readdirSync(dir).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort()
  const done: number[] = []
  for (const file of files) {
    const version = Number(file.slice(0, 4))
    if (applied.has(version)) continue
    const sql = readFileSync(`${dir}/${file}`, 'utf8').replaceAll('{{db}}', ch.database)
    for (const statement of splitStatements(sql)) await ch.client.command({ query: statement })
    await ch.client.insert({ table: journal, values: [{ version, name: file }], format: 'JSONEachRow' })
    done.push(version)
  }
  return done
}

function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0)
}

/** Keeps the `spans` TTL equal to `DATA_RETENTION_DAYS`; a no-op when it already is. */
export async function applyRetention(ch: ClickHouse, days: number): Promise<boolean> {
  const res = await ch.client.query({
    query: 'SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = {t:String}',
    query_params: { db: ch.database, t: 'spans' },
    format: 'JSONEachRow',
  })
  const [row] = z.array(z.object({ q: z.string() })).parse(await res.json())
  const wanted = `toIntervalDay(${days})`
  if (row && row.q.includes(wanted)) return false
  await ch.client.command({ query: `ALTER TABLE ${ch.table('spans')} MODIFY TTL toDateTime(start_time) + ${wanted}` })
  return true
}
