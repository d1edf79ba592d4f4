// Every query in this file takes the project id as a required parameter and filters on it first.
import { microsToClickHouse, clickHouseToMicros, type SpanView } from '@tollgate/core'
import type { ClickHouse } from './client.js'
import { runQuery } from './query.js'
import { toSpanView } from './span-view.js'
import { SpanRow } from './spans.js'

/** Position after the last span already returned, in (start time, span id) order. */
export interface SpanCursor {
  startUs: number
  spanId: string
}

export interface SpanPage {
  spans: SpanView[]
  next: SpanCursor | null
}

/**
 * One page of a trace's spans in start order; empty when the trace does not exist in this project.
 * Served by the sort key of `spans` (project_id, trace_id, …): one primary-key range in each daily part
 * that holds the trace, and at most `limit` rows read back, however large the trace.
 */
export async function getTraceSpans(
  ch: ClickHouse,
  projectId: string,
  traceId: string,
  page: { limit: number; after?: SpanCursor | undefined },
): Promise<SpanPage> {
  const params: Record<string, unknown> = { project: projectId, trace: traceId, n: page.limit + 1 }
  let keyset = ''
  if (page.after) {
    params.after_start = microsToClickHouse(page.after.startUs)
    params.after_id = page.after.spanId
    keyset = ` AND (start_time, span_id) > ({after_start:DateTime64(6, 'UTC')}, {after_id:String})`
  }
  const read = (byIndexedDays: boolean): Promise<SpanRow[]> =>
    runQuery(ch, {
      name: byIndexedDays ? 'traces.spans' : 'traces.spans_all_days',
      // trace_index has a row for every day that holds spans of the trace (found by id, idx_trace_id):
      // only those daily partitions of spans are probed, not every day kept.
      query: `SELECT * FROM ${ch.table('spans')} FINAL
              WHERE project_id = {project:String} AND trace_id = {trace:String}${keyset}
                ${
                  byIndexedDays
                    ? `AND toYYYYMMDD(start_time) IN (SELECT toYYYYMMDD(start_time) FROM ${ch.table('trace_index')}
                                               WHERE project_id = {project:String} AND trace_id = {trace:String})`
                    : ''
                }
              ORDER BY start_time, span_id LIMIT {n:UInt32} SETTINGS priority = 1`,
      params,
      schema: SpanRow,
    })
  let rows = await read(true)
  // trace_index is derived and its recent days are swapped in by refreshRecentRollups: a trace whose
  // index rows are missing for a moment must not answer 404 while its spans are stored. Nothing found
  // through the index → probe every daily part (one primary-key range each) before saying so.
  if (rows.length === 0 && !page.after) rows = await read(false)
  const shown = rows.slice(0, page.limit)
  const last = shown[shown.length - 1]
  return {
    spans: shown.map(toSpanView),
    next:
      rows.length > page.limit && last ? { startUs: clickHouseToMicros(last.start_time), spanId: last.span_id } : null,
  }
}
