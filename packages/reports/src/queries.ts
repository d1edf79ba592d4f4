// Every query in this file takes the project id as a required parameter and filters on it first:
// `project_id` leads the sort key of `spans`, so the filter selects the range read. Spans are read
// `FINAL` (deduplicated), as /api/metrics reads them, so per-trace rows add up to the monthly totals.
import { z } from 'zod'
import { clickHouseToMicros, microsToClickHouse, microsToIso } from '@tollgate/core'
import { runQuery, UNKNOWN_COST_CALL, type ClickHouse } from '@tollgate/store'

const num = z.coerce.number()

// Aliases differ from the columns they aggregate: ClickHouse would substitute an alias named
// start_time into the WHERE clause and into the other aggregates.
const TraceRowRaw = z.object({
  trace_id: z.string(),
  trace_name: z.string(),
  first_start: z.string(),
  last_end: z.string(),
  spans: num,
  errors: num,
  input_tokens: num,
  output_tokens: num,
  cost_usd: num,
  unknown_cost_spans: num,
  models: z.array(z.string()),
  agents: z.array(z.string()),
})

/** One trace's spans within a month, summed: a row of the monthly CSV. */
export const MonthTraceRow = TraceRowRaw.omit({ trace_name: true, first_start: true, last_end: true }).extend({
  name: z.string(),
  start_time: z.string(),
  end_time: z.string(),
  duration_ms: z.number(),
})
export type MonthTraceRow = z.infer<typeof MonthTraceRow>

/** The CSV's columns, in order (docs/compliance.md). */
export const MONTH_TRACE_COLUMNS = [
  'trace_id',
  'name',
  'start_time',
  'end_time',
  'duration_ms',
  'spans',
  'errors',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'unknown_cost_spans',
  'models',
  'agents',
] as const satisfies readonly (keyof MonthTraceRow)[]

// unknown_cost_spans: the trace's model calls without a price, as /api/cost's unknown_cost_calls counts
// them (agent, tool and chain spans are never priced and are not counted); the column keeps its name.
const TRACE_COLUMNS = `trace_id,
  if(countIf(parent_span_id = '') > 0, argMinIf(name, start_time, parent_span_id = ''), argMin(name, start_time)) AS trace_name,
  toString(min(start_time)) AS first_start, toString(max(end_time)) AS last_end,
  count() AS spans, countIf(status = 'error') AS errors,
  sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd,
  countIf(${UNKNOWN_COST_CALL}) AS unknown_cost_spans,
  arraySort(groupUniqArrayIf(model, model != '')) AS models,
  arraySort(groupUniqArrayIf(agent_id, agent_id != '')) AS agents`

const toRow = ({ trace_name, first_start, last_end, ...r }: z.infer<typeof TraceRowRaw>): MonthTraceRow => {
  const start = clickHouseToMicros(first_start)
  const end = clickHouseToMicros(last_end)
  return {
    ...r,
    name: trace_name,
    start_time: microsToIso(start),
    end_time: microsToIso(end),
    duration_ms: (end - start) / 1000,
  }
}

interface Range {
  projectId: string
  fromUs: number
  toUs: number
}
const rangeParams = (r: Range) => ({
  project: r.projectId,
  from: microsToClickHouse(r.fromUs),
  to: microsToClickHouse(r.toUs),
})
const WHERE = `project_id = {project:String} AND start_time >= {from:DateTime64(6, 'UTC')} AND start_time < {to:DateTime64(6, 'UTC')}`

/** The `limit` traces with the highest cost of their spans in [fromUs, toUs). */
export async function topTracesByCost(ch: ClickHouse, r: Range & { limit: number }): Promise<MonthTraceRow[]> {
  const rows = await runQuery(ch, {
    name: 'reports.top_traces',
    query: `SELECT ${TRACE_COLUMNS} FROM ${ch.table('spans')} FINAL WHERE ${WHERE}
            GROUP BY trace_id ORDER BY cost_usd DESC, trace_id LIMIT {n:UInt32}
            SETTINGS output_format_json_quote_64bit_integers = 0`,
    params: { ...rangeParams(r), n: r.limit },
    schema: TraceRowRaw,
  })
  return rows.map(toRow)
}

/**
 * Every trace with spans in [fromUs, toUs), in trace id order, `pageSize` at a time (keyset on the id):
 * memory holds one page, however many traces the month has.
 */
export async function* tracesInRange(
  ch: ClickHouse,
  r: Range & { pageSize?: number },
): AsyncGenerator<MonthTraceRow[]> {
  let after = ''
  for (;;) {
    const rows = await runQuery(ch, {
      name: 'reports.month_traces',
      query: `SELECT ${TRACE_COLUMNS} FROM ${ch.table('spans')} FINAL WHERE ${WHERE} AND trace_id > {after:String}
              GROUP BY trace_id ORDER BY trace_id LIMIT {n:UInt32}
              SETTINGS output_format_json_quote_64bit_integers = 0`,
      params: { ...rangeParams(r), after, n: r.pageSize ?? 5000 },
      schema: TraceRowRaw,
    })
    if (rows.length === 0) return
    yield rows.map(toRow)
    const last = rows[rows.length - 1]
    if (!last || rows.length < (r.pageSize ?? 5000)) return
    after = last.trace_id
  }
}
