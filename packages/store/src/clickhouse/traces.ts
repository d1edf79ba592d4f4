// Every query in this file takes the project id as a required parameter and filters on it first:
// `project_id` leads the sort key of `spans`, so the filter also selects the range that is read.
import { z } from 'zod'
import { clickHouseToMicros, microsToClickHouse, microsToIso } from '@tollgate/core'
import type { ClickHouse } from './client.js'
import { runQuery } from './query.js'
import { SpanRow, toSpanView, type SpanView } from './spans.js'

export type TraceSort = 'time' | 'cost' | 'duration' | 'tokens'

export interface TraceFilter {
  search?: string | undefined
  status?: 'ok' | 'error' | 'unset' | undefined
  agentId?: string | undefined
  model?: string | undefined
  userId?: string | undefined
  sessionId?: string | undefined
  /** Trace start time bounds, µs since the epoch; `to` is exclusive. */
  fromUs?: number | undefined
  toUs?: number | undefined
  minCost?: number | undefined
  tags?: Record<string, string> | undefined
}

export interface TraceListInput {
  projectId: string
  filter: TraceFilter
  sort: TraceSort
  order: 'asc' | 'desc'
  limit: number
  offset: number
  /** Keyset position: the sort value and trace id of the last row already seen. */
  after?: { value: number; traceId: string } | undefined
}

/** One trace in `GET /api/traces` (DESIGN §7); also its OpenAPI schema. */
export const TraceSummary = z.object({
  trace_id: z.string(),
  name: z.string().describe('the root span\'s name (the earliest span while the root has not arrived)'),
  start_time: z.string(),
  end_time: z.string(),
  duration_ms: z.number(),
  span_count: z.number(),
  error_count: z.number(),
  status: z.enum(['ok', 'error', 'unset']),
  input_tokens: z.number(),
  output_tokens: z.number(),
  total_cost_usd: z.number(),
  models: z.array(z.string()),
  agent_ids: z.array(z.string()),
})
export type TraceSummary = z.infer<typeof TraceSummary>

const SORT_KEYS: Record<TraceSort, string> = {
  time: 'toFloat64(toUnixTimestamp64Micro(min(start_time)))',
  cost: 'sum(cost_total_usd)',
  duration: 't_duration_ms',
  tokens: 'toFloat64(sum(input_tokens) + sum(output_tokens))',
}

const SummaryRow = z.object({
  trace_id: z.string(),
  t_name: z.string(),
  t_start: z.string(),
  t_end: z.string(),
  t_duration_ms: z.coerce.number(),
  t_span_count: z.coerce.number(),
  t_error_count: z.coerce.number(),
  t_status: z.enum(['ok', 'error', 'unset']),
  t_input_tokens: z.coerce.number(),
  t_output_tokens: z.coerce.number(),
  t_cost: z.coerce.number(),
  t_models: z.array(z.string()),
  t_agent_ids: z.array(z.string()),
  sort_key: z.coerce.number(),
})

// Aliases carry a t_ prefix: an alias equal to a column name (`name`, `status`) would shadow the
// column inside the aggregates that define it.
const SUMMARY_COLUMNS = `
  trace_id,
  argMin(name, tuple(parent_span_id != '', start_time)) AS t_name,
  toString(min(start_time)) AS t_start,
  toString(max(end_time)) AS t_end,
  (toUnixTimestamp64Micro(max(end_time)) - toUnixTimestamp64Micro(min(start_time))) / 1000 AS t_duration_ms,
  count() AS t_span_count,
  countIf(status = 'error') AS t_error_count,
  multiIf(t_error_count > 0, 'error', countIf(status = 'ok') > 0, 'ok', 'unset') AS t_status,
  sum(input_tokens) AS t_input_tokens,
  sum(output_tokens) AS t_output_tokens,
  sum(cost_total_usd) AS t_cost,
  arraySort(groupUniqArrayIf(model, model != '')) AS t_models,
  arraySort(groupUniqArrayIf(agent_id, agent_id != '')) AS t_agent_ids`

function havingClause(filter: TraceFilter, params: Record<string, unknown>): string {
  const conditions: string[] = ['1']
  if (filter.search) {
    params.search = filter.search
    conditions.push(`(trace_id = lower({search:String}) OR countIf(positionCaseInsensitiveUTF8(name, {search:String}) > 0
      OR positionCaseInsensitiveUTF8(input, {search:String}) > 0 OR positionCaseInsensitiveUTF8(output, {search:String}) > 0) > 0)`)
  }
  if (filter.status) {
    params.status = filter.status
    conditions.push('t_status = {status:String}')
  }
  const anySpan: Array<[keyof TraceFilter, string]> = [['agentId', 'agent_id'], ['model', 'model'], ['userId', 'user_id'], ['sessionId', 'session_id']]
  for (const [key, column] of anySpan) {
    const value = filter[key]
    if (typeof value !== 'string' || value === '') continue
    params[column] = value
    conditions.push(`countIf(${column} = {${column}:String}) > 0`)
  }
  if (filter.fromUs !== undefined) {
    params.from = microsToClickHouse(filter.fromUs)
    conditions.push(`min(start_time) >= {from:DateTime64(6, 'UTC')}`)
  }
  if (filter.toUs !== undefined) {
    params.to = microsToClickHouse(filter.toUs)
    conditions.push(`min(start_time) < {to:DateTime64(6, 'UTC')}`)
  }
  if (filter.minCost !== undefined) {
    params.min_cost = filter.minCost
    conditions.push('t_cost >= {min_cost:Float64}')
  }
  Object.entries(filter.tags ?? {}).forEach(([k, v], i) => {
    params[`tag_k${i}`] = k
    params[`tag_v${i}`] = v
    conditions.push(`countIf(tags[{tag_k${i}:String}] = {tag_v${i}:String}) > 0`)
  })
  return conditions.join(' AND ')
}

export async function listTraces(ch: ClickHouse, input: TraceListInput): Promise<{ traces: TraceSummary[]; total: number; nextAfter: { value: number; traceId: string } | null }> {
  const params: Record<string, unknown> = { project: input.projectId, limit: input.limit + 1, offset: input.offset }
  const having = havingClause(input.filter, params)
  const dir = input.order === 'asc' ? 'ASC' : 'DESC'
  let keyset = ''
  if (input.after) {
    params.after_value = input.after.value
    params.after_id = input.after.traceId
    keyset = ` AND (sort_key, trace_id) ${input.order === 'asc' ? '>' : '<'} ({after_value:Float64}, {after_id:String})`
  }
  const from = `FROM ${ch.table('spans')} FINAL WHERE project_id = {project:String} GROUP BY trace_id`
  const [rows, totals] = await Promise.all([
    runQuery(ch, {
      name: 'traces.list',
      query: `SELECT ${SUMMARY_COLUMNS}, ${SORT_KEYS[input.sort]} AS sort_key ${from}
              HAVING ${having}${keyset} ORDER BY sort_key ${dir}, trace_id ${dir}
              LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      params,
      schema: SummaryRow,
    }),
    runQuery(ch, {
      name: 'traces.count',
      query: `SELECT count() AS total FROM (SELECT ${SUMMARY_COLUMNS} ${from} HAVING ${having})`,
      params,
      schema: z.object({ total: z.coerce.number() }),
    }),
  ])
  const page = rows.slice(0, input.limit)
  const last = page[page.length - 1]
  return {
    traces: page.map(toSummary),
    total: totals[0]?.total ?? 0,
    nextAfter: rows.length > input.limit && last ? { value: last.sort_key, traceId: last.trace_id } : null,
  }
}

function toSummary(r: z.infer<typeof SummaryRow>): TraceSummary {
  return {
    trace_id: r.trace_id,
    name: r.t_name,
    start_time: microsToIso(clickHouseToMicros(r.t_start)),
    end_time: microsToIso(clickHouseToMicros(r.t_end)),
    duration_ms: r.t_duration_ms,
    span_count: r.t_span_count,
    error_count: r.t_error_count,
    status: r.t_status,
    input_tokens: r.t_input_tokens,
    output_tokens: r.t_output_tokens,
    total_cost_usd: r.t_cost,
    models: r.t_models,
    agent_ids: r.t_agent_ids,
  }
}

/** The spans of one trace in start order; empty when the trace does not exist in this project. */
export async function getTraceSpans(ch: ClickHouse, projectId: string, traceId: string): Promise<SpanView[]> {
  const rows = await runQuery(ch, {
    name: 'traces.spans',
    query: `SELECT * FROM ${ch.table('spans')} FINAL
            WHERE project_id = {project:String} AND trace_id = {trace:String}
            ORDER BY start_time, span_id`,
    params: { project: projectId, trace: traceId },
    schema: SpanRow,
  })
  return rows.map(toSpanView)
}
