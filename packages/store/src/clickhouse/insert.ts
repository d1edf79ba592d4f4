import type { ClickHouse } from './client.js'
import { SpanRow } from './spans.js'

const COLUMNS = Object.keys(SpanRow.shape) as [keyof SpanRow, ...Array<keyof SpanRow>]

/**
 * One synchronous INSERT: when it resolves the rows are committed (async_insert off, so a 2xx
 * cannot precede durability). Callers batch; many small inserts make "too many parts".
 * JSONCompactEachRow with an explicit column list parses in about half the time of JSONEachRow
 * on large batches (bench: 19 vs 33 µs/row at 5,000 rows on chDB).
 */
export async function insertSpanRows(ch: ClickHouse, rows: SpanRow[]): Promise<void> {
  if (rows.length === 0) return
  await ch.client.insert({
    table: ch.table('spans'),
    columns: COLUMNS,
    values: rows.map((r) => COLUMNS.map((c) => r[c])),
    format: 'JSONCompactEachRow',
    clickhouse_settings: { async_insert: 0 },
  })
}
