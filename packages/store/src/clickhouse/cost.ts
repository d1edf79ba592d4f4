// Every query in this file takes the project id as a required parameter and filters on it first:
// `project_id` leads the sort key of `spans` and of every rollup, so the filter selects the range read.
//
// Cost rows come from the hourly rollups (`cost_hourly`, `cost_hourly_user`, `cost_hourly_tag`: sort key
// project, hour) when they can answer exactly: the range is whole UTC hours, the zone's offset is whole
// hours throughout it, and no tag filter applies. Otherwise from the deduplicated spans (`spans FINAL`).
// Both give the same sums: the rollups count each stored span once (docs/architecture.md, "Idempotency").
import { z } from 'zod'
import { microsToClickHouse } from '@tollgate/core'
import { spanWhere, type AnalyticsFilter } from './analytics.js'
import type { ClickHouse } from './client.js'
import { runQuery } from './query.js'

export type CostGroup = 'agent' | 'model' | 'user' | 'tag'
export type Granularity = 'hour' | 'day' | 'week' | 'month'
export type CostSource = 'rollup' | 'spans'

export interface CostInput extends AnalyticsFilter {
  /** Rows per period (`granularity`), per group, or both (a time series). */
  granularity?: Granularity | undefined
  group?: CostGroup | undefined
  /** For group `tag`: the key whose values are the groups (spans without it are not counted). */
  tagKey?: string | undefined
  /** IANA zone the periods are cut in (validated by the caller); UTC by default. */
  tz?: string | undefined
  /** Force a source (tests, benchmarks); by default the rollups whenever they can answer exactly. */
  source?: CostSource | undefined
}

/** The columns every cost row carries (the `/api/cost/*` response), plus the unpriced calls so they are never a silent $0. */
export const CostSums = z.object({
  calls: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_read_tokens: z.number(),
  cost_usd: z.number(),
  unknown_cost_calls: z
    .number()
    .describe(
      'model calls whose cost is unknown (no price for the model): counted as $0 in cost_usd; agent and tool spans without a model are not counted',
    ),
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

const HOUR_US = 3_600_000_000

const formatters = new Map<string, Intl.DateTimeFormat>()

/** Offset of `tz` from UTC at `ms`, in minutes. */
function offsetMinutes(tz: string, ms: number): number {
  let format = formatters.get(tz)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    })
    // Zone names are validated and few; the cap only bounds what a caller could make it hold.
    if (formatters.size < 1000) formatters.set(tz, format)
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, Number(p.value)]))
  const local = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0)
  return Math.round((local - Math.floor(ms / 60_000) * 60_000) / 60_000)
}

/** Whether hourly buckets cut at UTC hours are also cut at the zone's local hours over the whole range. */
export function wholeHourZone(tz: string, fromUs: number, toUs: number): boolean {
  if (tz === 'UTC') return true
  // Offsets change at most a few times a year; a sample every 6 h sees every change that lasts longer.
  for (let ms = fromUs / 1000; ms <= toUs / 1000 + 6 * 3_600_000; ms += 6 * 3_600_000) {
    if (offsetMinutes(tz, Math.min(ms, toUs / 1000)) % 60 !== 0) return false
  }
  return true
}

export function rollupCanAnswer(input: CostInput): boolean {
  return (
    input.fromUs % HOUR_US === 0 &&
    input.toUs % HOUR_US === 0 &&
    Object.keys(input.tags ?? {}).length === 0 &&
    input.model === undefined &&
    input.agentId === undefined &&
    wholeHourZone(input.tz ?? 'UTC', input.fromUs, input.toUs)
  )
}

/**
 * A model call without a price (counted as $0): a span that names a model or is of kind llm/embedding.
 * Agent, tool and chain spans carry no model and no tokens; the pricer marks them `unknown` too, but
 * they are not unpriced calls. The views of migrations/clickhouse/0007, rollups.ts and the monthly
 * report's CSV (@tollgate/reports) use the same SQL.
 */
export const UNKNOWN_COST_CALL = "cost_status = 'unknown' AND (model != '' OR kind IN ('llm', 'embedding'))"
export const UNKNOWN_COST_CALLS = `countIf(${UNKNOWN_COST_CALL}) AS unknown_cost_calls`

const PERIOD: Record<Granularity, string> = {
  hour: 'toStartOfHour(toDateTime({t}, {tz:String}))',
  day: 'toStartOfDay(toDateTime({t}, {tz:String}))',
  week: 'toDateTime(toMonday(toDateTime({t}, {tz:String})), {tz:String})',
  month: 'toDateTime(toStartOfMonth(toDateTime({t}, {tz:String})), {tz:String})',
}
const GROUP_KEYS: Record<CostGroup, string[]> = {
  agent: ['agent_id', 'agent_name'],
  model: ['provider', 'model'],
  user: ['user_id'],
  tag: ['tag_key', 'tag_value'],
}
const SUMS: Record<CostSource, string[]> = {
  spans: [
    'count() AS calls',
    'sum(input_tokens) AS input_tokens',
    'sum(output_tokens) AS output_tokens',
    'sum(cache_read_tokens) AS cache_read_tokens',
    'sum(cost_total_usd) AS cost_usd',
    UNKNOWN_COST_CALLS,
  ],
  rollup: [
    'sum(calls) AS calls',
    'sum(input_tokens) AS input_tokens',
    'sum(output_tokens) AS output_tokens',
    'sum(cache_read_tokens) AS cache_read_tokens',
    'sum(cost_usd) AS cost_usd',
    'sum(unknown_cost_calls) AS unknown_cost_calls',
  ],
}
const ROLLUP_TABLE: Record<CostGroup | 'none', string> = {
  none: 'cost_hourly',
  agent: 'cost_hourly',
  model: 'cost_hourly',
  user: 'cost_hourly_user',
  tag: 'cost_hourly_tag',
}

const num = z.coerce.number()
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
 * ordered by time; groups by cost, highest first. `source` says which tables answered.
 */
export async function costBreakdown(
  ch: ClickHouse,
  input: CostInput,
): Promise<{ rows: CostRow[]; source: CostSource }> {
  const source: CostSource = input.source ?? (rollupCanAnswer(input) ? 'rollup' : 'spans')
  const time = source === 'rollup' ? 'hour' : 'start_time'
  let where: { sql: string; params: Record<string, unknown> }
  if (source === 'spans') where = spanWhere(input)
  else {
    where = {
      sql: "project_id = {project:String} AND hour >= {from:DateTime64(6, 'UTC')} AND hour < {to:DateTime64(6, 'UTC')}",
      params: { project: input.projectId, from: microsToClickHouse(input.fromUs), to: microsToClickHouse(input.toUs) },
    }
  }
  const params: Record<string, unknown> = { ...where.params, tz: input.tz ?? 'UTC' }
  const select: string[] = []
  const keys: string[] = []
  let filter = ''
  if (input.granularity) {
    const period = PERIOD[input.granularity].replaceAll('{t}', time)
    select.push(`toUnixTimestamp(${period}) AS period`, `formatDateTime(${period}, '%F', {tz:String}) AS day`)
    keys.push('period', 'day')
  }
  if (input.group) {
    if (input.group === 'tag') {
      if (input.tagKey === undefined) throw new Error('costBreakdown: group tag needs tagKey')
      params.tag_key = input.tagKey
      if (source === 'rollup') {
        filter = ' AND tag_key = {tag_key:String}'
        select.push('tag_key', 'tag_value')
      } else {
        filter = ' AND mapContains(tags, {tag_key:String})'
        select.push('{tag_key:String} AS tag_key', 'tags[{tag_key:String}] AS tag_value')
      }
    } else select.push(...GROUP_KEYS[input.group])
    keys.push(...GROUP_KEYS[input.group])
  }
  const table = source === 'rollup' ? ch.table(ROLLUP_TABLE[input.group ?? 'none']) : `${ch.table('spans')} FINAL`
  const order = [
    ...(input.granularity ? ['period'] : []),
    ...(input.group ? ['cost_usd DESC', ...GROUP_KEYS[input.group]] : []),
  ]
  const rows = await runQuery(ch, {
    name: `cost.${source}_${input.granularity ?? 'all'}_${input.group ?? 'all'}`,
    query: `SELECT ${[...select, ...SUMS[source]].join(', ')}
            FROM ${table} WHERE ${where.sql}${filter}
            ${keys.length ? `GROUP BY ${keys.join(', ')}` : ''} ${order.length ? `ORDER BY ${order.join(', ')}` : ''}
            SETTINGS output_format_json_quote_64bit_integers = 0`,
    params,
    schema: RawCostRow,
  })
  return {
    source,
    rows: rows
      .filter((r) => keys.length > 0 || r.calls > 0)
      .map(({ period, ...rest }) => {
        const row: CostRow = { ...rest }
        if (period !== undefined) row.period_start = new Date(period * 1000).toISOString()
        return row
      }),
  }
}
