// Every query in this file takes the project id as a required parameter and filters on it first:
// `project_id` leads the sort key of `spans`, so the filter also selects the range that is read.
//
// Analytics are computed from the deduplicated spans (`spans FINAL`), so every sum equals the sum over
// the spans a trace read shows, redelivered spans counted once, for any range and any time zone
// (the hourly rollups cannot answer a range or a zone offset that is not whole hours, nor the
// `unknown_cost_calls` and percentile columns: docs/architecture.md, "Analytics").
import { z } from 'zod'
import { microsToClickHouse } from '@tollgate/core'
import type { ClickHouse } from './client.js'
import { runQuery } from './query.js'

export interface AnalyticsFilter {
  projectId: string
  fromUs: number
  toUs: number
  model?: string | undefined
  agentId?: string | undefined
  /** Spans tagged key=value for every entry. */
  tags?: Record<string, string> | undefined
}

/** WHERE clause and its parameters; values are always bound, never interpolated. */
function where(f: AnalyticsFilter): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { project: f.projectId, from: microsToClickHouse(f.fromUs), to: microsToClickHouse(f.toUs) }
  const parts = ['project_id = {project:String}', "start_time >= {from:DateTime64(6, 'UTC')}", "start_time < {to:DateTime64(6, 'UTC')}"]
  if (f.model !== undefined) {
    parts.push('model = {model:String}')
    params.model = f.model
  }
  if (f.agentId !== undefined) {
    parts.push('agent_id = {agent:String}')
    params.agent = f.agentId
  }
  Object.entries(f.tags ?? {}).forEach(([k, v], i) => {
    parts.push(`tags[{tk${i}:String}] = {tv${i}:String} AND mapContains(tags, {tk${i}:String})`)
    params[`tk${i}`] = k
    params[`tv${i}`] = v
  })
  return { sql: parts.join(' AND '), params }
}

const num = z.coerce.number()
/** quantiles of an empty set come back as NaN; JSON has no NaN, so null. */
const quantile = z.union([z.number(), z.string(), z.null()]).transform((v) => (v === null || v === 'nan' || Number.isNaN(Number(v)) ? null : Number(v)))

const MetricsRow = z.object({
  traces: num,
  spans: num,
  errors: num,
  input_tokens: num,
  output_tokens: num,
  cost_usd: num,
  p50: quantile,
  p95: quantile,
  p99: quantile,
  ttft_p50: quantile,
  ttft_p95: quantile,
})

export const Metrics = z.object({
  traces: z.number(),
  spans: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number(),
  error_rate: z.number().describe('error spans / spans; 0 without spans'),
  latency_ms: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }),
  ttft_ms: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }).describe('over streamed spans that report a time to first token'),
})
export type Metrics = z.infer<typeof Metrics>

/** Counts, sums, error rate and exact latency percentiles over the spans starting in [fromUs, toUs). */
export async function getMetrics(ch: ClickHouse, f: AnalyticsFilter): Promise<Metrics> {
  const w = where(f)
  const [row] = await runQuery(ch, {
    name: 'analytics.metrics',
    query: `SELECT uniqExact(trace_id) AS traces, count() AS spans, countIf(status = 'error') AS errors,
                   sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd,
                   quantileExactInclusive(0.5)(duration_ms) AS p50, quantileExactInclusive(0.95)(duration_ms) AS p95,
                   quantileExactInclusive(0.99)(duration_ms) AS p99,
                   quantileExactInclusiveIf(0.5)(assumeNotNull(ttft_ms), isNotNull(ttft_ms)) AS ttft_p50,
                   quantileExactInclusiveIf(0.95)(assumeNotNull(ttft_ms), isNotNull(ttft_ms)) AS ttft_p95
            FROM ${ch.table('spans')} FINAL WHERE ${w.sql}
            SETTINGS output_format_json_quote_64bit_integers = 0`,
    params: w.params,
    schema: MetricsRow,
  })
  const r = row ?? {
    traces: 0,
    spans: 0,
    errors: 0,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
    p50: null,
    p95: null,
    p99: null,
    ttft_p50: null,
    ttft_p95: null,
  }
  const empty = r.spans === 0
  return {
    traces: r.traces,
    spans: r.spans,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    cost_usd: r.cost_usd,
    error_rate: empty ? 0 : r.errors / r.spans,
    latency_ms: { p50: empty ? null : r.p50, p95: empty ? null : r.p95, p99: empty ? null : r.p99 },
    ttft_ms: { p50: r.ttft_p50, p95: r.ttft_p95 },
  }
}

export type CostGroup = 'agent' | 'model' | 'user' | 'tag'
export type Granularity = 'hour' | 'day' | 'week' | 'month'

export interface CostInput extends AnalyticsFilter {
  /** Rows per period (`granularity`), per group, or both (a time series). */
  granularity?: Granularity | undefined
  group?: CostGroup | undefined
  /** For group `tag`: the key whose values are the groups (spans without it are not counted). */
  tagKey?: string | undefined
  /** IANA zone the periods are cut in (validated by the caller); UTC by default. */
  tz?: string | undefined
}

/** The columns every cost row carries (DESIGN §7), plus the unpriced calls so they are never a silent $0. */
export const CostSums = z.object({
  calls: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_read_tokens: z.number(),
  cost_usd: z.number(),
  unknown_cost_calls: z.number().describe('calls whose cost is unknown (no price for the model): counted as $0 in cost_usd'),
})

export const CostRow = CostSums.extend({
  day: z.string().optional().describe('local date (YYYY-MM-DD, in `tz`) the period starts on'),
  period_start: z.string().optional().describe('RFC 3339 UTC instant the period starts at'),
  agent_id: z.string().optional(),
  agent_name: z.string().optional(),
  provider: z.string().optional(),
  model: z.string().optional(),
  user_id: z.string().optional(),
  tag_key: z.string().optional(),
  tag_value: z.string().optional(),
})
export type CostRow = z.infer<typeof CostRow>

const PERIOD: Record<Granularity, string> = {
  hour: 'toStartOfHour(toDateTime(start_time, {tz:String}))',
  day: 'toStartOfDay(toDateTime(start_time, {tz:String}))',
  week: 'toDateTime(toMonday(toDateTime(start_time, {tz:String})), {tz:String})',
  month: 'toDateTime(toStartOfMonth(toDateTime(start_time, {tz:String})), {tz:String})',
}
const GROUP_KEYS: Record<CostGroup, string[]> = {
  agent: ['agent_id', 'agent_name'],
  model: ['provider', 'model'],
  user: ['user_id'],
  tag: ['tag_key', 'tag_value'],
}

const RawCostRow = z.object({
  period: z.coerce.number().optional(),
  day: z.string().optional(),
  agent_id: z.string().optional(),
  agent_name: z.string().optional(),
  provider: z.string().optional(),
  model: z.string().optional(),
  user_id: z.string().optional(),
  tag_key: z.string().optional(),
  tag_value: z.string().optional(),
  calls: num,
  input_tokens: num,
  output_tokens: num,
  cache_read_tokens: num,
  cost_usd: num,
  unknown_cost_calls: num,
})

/**
 * Cost and usage per period and/or group over the spans starting in [fromUs, toUs). Periods are
 * ordered by time; groups by cost, highest first.
 */
export async function costBreakdown(ch: ClickHouse, input: CostInput): Promise<CostRow[]> {
  const w = where(input)
  const params: Record<string, unknown> = { ...w.params, tz: input.tz ?? 'UTC' }
  const select: string[] = []
  const keys: string[] = []
  let filter = ''
  if (input.granularity) {
    select.push(`toUnixTimestamp(${PERIOD[input.granularity]}) AS period`, `formatDateTime(${PERIOD[input.granularity]}, '%F', {tz:String}) AS day`)
    keys.push('period', 'day')
  }
  if (input.group) {
    if (input.group === 'tag') {
      if (input.tagKey === undefined) throw new Error('costBreakdown: group tag needs tagKey')
      params.tag_key = input.tagKey
      filter = ' AND mapContains(tags, {tag_key:String})'
      select.push('{tag_key:String} AS tag_key', 'tags[{tag_key:String}] AS tag_value')
    } else select.push(...GROUP_KEYS[input.group])
    keys.push(...GROUP_KEYS[input.group])
  }
  const order = [...(input.granularity ? ['period'] : []), ...(input.group ? ['cost_usd DESC', ...GROUP_KEYS[input.group]] : [])]
  const rows = await runQuery(ch, {
    name: `analytics.cost_${input.granularity ?? 'all'}_${input.group ?? 'all'}`,
    query: `SELECT ${[...select, 'count() AS calls', 'sum(input_tokens) AS input_tokens', 'sum(output_tokens) AS output_tokens', 'sum(cache_read_tokens) AS cache_read_tokens', 'sum(cost_total_usd) AS cost_usd', "countIf(cost_status = 'unknown') AS unknown_cost_calls"].join(', ')}
            FROM ${ch.table('spans')} FINAL WHERE ${w.sql}${filter}
            ${keys.length ? `GROUP BY ${keys.join(', ')}` : ''} ${order.length ? `ORDER BY ${order.join(', ')}` : ''}
            SETTINGS output_format_json_quote_64bit_integers = 0`,
    params,
    schema: RawCostRow,
  })
  return rows
    .filter((r) => keys.length > 0 || r.calls > 0)
    .map(({ period, ...rest }) => {
      const row: CostRow = { ...rest }
      if (period !== undefined) row.period_start = new Date(period * 1000).toISOString()
      return row
    })
}
