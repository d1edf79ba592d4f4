import type { ClickHouse } from './client.js'
import type { SpanRow } from './spans.js'

/**
 * One synchronous INSERT: when it resolves the rows are committed (async_insert off, so a 2xx
 * cannot precede durability). Callers batch; many small inserts make "too many parts".
 */
export async function insertSpanRows(ch: ClickHouse, rows: SpanRow[]): Promise<void> {
  if (rows.length === 0) return
  await ch.client.insert({
    table: ch.table('spans'),
    values: rows,
    format: 'JSONEachRow',
    clickhouse_settings: { async_insert: 0, input_format_skip_unknown_fields: 0 },
  })
}
