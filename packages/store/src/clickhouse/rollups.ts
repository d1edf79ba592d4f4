// Every query in this file takes the project id as a required parameter and filters on it first
// (refreshRecentRollups recomputes days for every project: it is maintenance, not a read).
import { z } from 'zod'
import { microsToClickHouse } from '@tollgate/core'
import type { ClickHouse } from './client.js'
import { UNKNOWN_COST_CALLS } from './cost.js'
import { runCommand, runQuery } from './query.js'

/**
 * The tables fed by views on `spans` (migrations/clickhouse/0003, 0005, 0007) and how to recompute one UTC day of
 * each from the deduplicated spans. Keep each `select` equal to its view's (rollups.test.ts checks
 * that a refresh leaves every table as the views built it).
 */
const DERIVED = {
  cost_hourly: `SELECT project_id, toStartOfHour(start_time) AS hour, provider, model, agent_id, agent_name,
       count() AS calls, countIf(status = 'error') AS errors, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
       sum(cache_write_tokens) AS cache_write_tokens, sum(reasoning_tokens) AS reasoning_tokens,
       sum(cost_total_usd) AS cost_usd, sum(duration_ms) AS duration_ms, ${UNKNOWN_COST_CALLS}
     FROM {spans} WHERE {day} GROUP BY project_id, hour, provider, model, agent_id, agent_name`,
  cost_hourly_user: `SELECT project_id, toStartOfHour(start_time) AS hour, user_id, count() AS calls, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd, sum(cache_read_tokens) AS cache_read_tokens,
       ${UNKNOWN_COST_CALLS}
     FROM {spans} WHERE {day} GROUP BY project_id, hour, user_id`,
  cost_hourly_tag: `SELECT project_id, toStartOfHour(start_time) AS hour, tag.1 AS tag_key, tag.2 AS tag_value, count() AS calls,
       sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd,
       sum(cache_read_tokens) AS cache_read_tokens, ${UNKNOWN_COST_CALLS}
     FROM {spans} ARRAY JOIN arrayZip(mapKeys(tags), mapValues(tags)) AS tag WHERE {day} GROUP BY project_id, hour, tag_key, tag_value`,
  trace_index: `SELECT project_id, min(start_time) AS start_time, trace_id, max(end_time) AS end_time,
       count() AS spans, countIf(status = 'error') AS errors, countIf(status = 'ok') AS oks,
       sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_total_usd) AS cost_usd,
       groupUniqArrayIf(model, model != '') AS models, groupUniqArrayIf(agent_id, agent_id != '') AS agent_ids,
       groupUniqArrayIf(user_id, user_id != '') AS user_ids, groupUniqArrayIf(session_id, session_id != '') AS session_ids,
       groupUniqArrayArray(arrayMap((k, v) -> concat(k, '\\0', v), mapKeys(tags), mapValues(tags))) AS tags
     FROM (SELECT *, toYYYYMMDD(start_time) AS span_day FROM {spans} WHERE {day}) GROUP BY project_id, trace_id, span_day`,
} as const

export type DerivedTable = keyof typeof DERIVED

/** One refresh at a time per store: runs share the staging tables. */
const running = new WeakMap<ClickHouse, Promise<unknown>>()

/**
 * Recomputes the last `sinceHours` (whole UTC days) of every rollup and of the trace index from
 * `spans FINAL`, replacing each day's partition atomically (`REPLACE PARTITION` from its `_staging`
 * twin). Views keep these tables current between runs; this bounds what a rare race (a duplicate
 * inserted past the key lookup) can leave wrong to the time until the next run. After each swap the
 * day's span count is checked against the table (inserts that land mid-swap), and the day recomputed
 * up to 3 times; `uneven` lists any table/day still off (log it). Calls in one process run one after
 * another; run it from one process only (it uses one staging table per rollup).
 */
export async function refreshRecentRollups(
  ch: ClickHouse,
  options: { sinceHours: number; nowMs?: number },
): Promise<{ days: number[]; uneven: string[] }> {
  const result = (running.get(ch) ?? Promise.resolve()).then(() => refresh(ch, options))
  running.set(
    ch,
    result.catch(() => undefined),
  )
  return result
}

/**
 * What a day of each table must add up to, on spans and on the table: a span inserted while its day is
 * being recomputed reaches the table through its view and is then replaced away by the staging copy
 * that did not see it; the check catches that and the day is recomputed.
 */
const CHECK: Record<DerivedTable, { spans: string; table: string; time: string }> = {
  cost_hourly: { spans: 'count()', table: 'sum(calls)', time: 'hour' },
  cost_hourly_user: { spans: 'count()', table: 'sum(calls)', time: 'hour' },
  cost_hourly_tag: { spans: 'sum(length(mapKeys(tags)))', table: 'sum(calls)', time: 'hour' },
  trace_index: { spans: 'count()', table: 'sum(spans)', time: 'start_time' },
}
const ATTEMPTS = 3

async function refresh(
  ch: ClickHouse,
  { sinceHours, nowMs = Date.now() }: { sinceHours: number; nowMs?: number },
): Promise<{ days: number[]; uneven: string[] }> {
  const dayMs = 86_400_000
  const days: number[] = []
  const uneven: string[] = []
  for (let t = Math.floor((nowMs - sinceHours * 3_600_000) / dayMs) * dayMs; t <= nowMs; t += dayMs) days.push(t)
  const dayId = (t: number): number => Number(new Date(t).toISOString().slice(0, 10).replaceAll('-', ''))
  for (const dayStart of days) {
    const params = { from: microsToClickHouse(dayStart * 1000), to: microsToClickHouse((dayStart + dayMs) * 1000) }
    const inDay = (column: string): string =>
      `${column} >= {from:DateTime64(6, 'UTC')} AND ${column} < {to:DateTime64(6, 'UTC')}`
    for (const table of Object.keys(DERIVED) as DerivedTable[]) {
      const staging = ch.table(`${table}_staging`)
      for (let attempt = 1; ; attempt++) {
        await ch.client.command({ query: `TRUNCATE TABLE ${staging}` })
        await runCommand(ch, {
          name: `rollups.refresh_${table}`,
          query: `INSERT INTO ${staging} ${DERIVED[table].replace('{spans}', `${ch.table('spans')} FINAL`).replace('{day}', inDay('start_time'))}`,
          params,
        })
        // A day with no spans left replaces the partition with nothing: what the views put there was wrong.
        await ch.client.command({
          query: `ALTER TABLE ${ch.table(table)} REPLACE PARTITION ${dayId(dayStart)} FROM ${staging}`,
          clickhouse_settings: { allow_replace_partition_from_empty_source: 1 },
        })
        const [check] = await runQuery(ch, {
          name: `rollups.check_${table}`,
          query: `SELECT (SELECT ${CHECK[table].spans} FROM ${ch.table('spans')} FINAL WHERE ${inDay('start_time')}) AS want,
                         (SELECT ${CHECK[table].table} FROM ${ch.table(table)} WHERE ${inDay(CHECK[table].time)}) AS got`,
          params,
          schema: z.object({ want: z.coerce.number(), got: z.coerce.number() }),
        })
        if (check && check.want === check.got) break
        if (attempt >= ATTEMPTS) {
          uneven.push(`${table}/${dayId(dayStart)}`)
          break
        }
      }
    }
  }
  return { days: days.map(dayId), uneven }
}

const ByModel = z.object({
  provider: z.string(),
  model: z.string(),
  day: z.string(),
  calls: z.coerce.number(),
  input_tokens: z.coerce.number(),
  output_tokens: z.coerce.number(),
  cost_usd: z.coerce.number(),
})
export type CostByModelRow = z.infer<typeof ByModel>

/** Cost and usage per provider, model and UTC day over [fromUs, toUs), from `cost_hourly` (sort key: project, hour). */
export async function costByModel(
  ch: ClickHouse,
  projectId: string,
  range: { fromUs: number; toUs: number },
): Promise<CostByModelRow[]> {
  return runQuery(ch, {
    name: 'rollups.cost_by_model',
    query: `SELECT provider, model, toString(toDate(hour)) AS day, sum(calls) AS calls, sum(input_tokens) AS input_tokens,
                   sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd
            FROM ${ch.table('cost_hourly')}
            WHERE project_id = {project:String} AND hour >= {from:DateTime64(6, 'UTC')} AND hour < {to:DateTime64(6, 'UTC')}
            GROUP BY provider, model, day ORDER BY day, provider, model`,
    params: { project: projectId, from: microsToClickHouse(range.fromUs), to: microsToClickHouse(range.toUs) },
    schema: ByModel,
  })
}

const ByUser = z.object({
  user_id: z.string(),
  calls: z.coerce.number(),
  input_tokens: z.coerce.number(),
  output_tokens: z.coerce.number(),
  cost_usd: z.coerce.number(),
})
export type CostByUserRow = z.infer<typeof ByUser>

/** Cost and usage per user over [fromUs, toUs), from `cost_hourly_user`. Spans without a user count under ''. */
export async function costByUser(
  ch: ClickHouse,
  projectId: string,
  range: { fromUs: number; toUs: number },
): Promise<CostByUserRow[]> {
  return runQuery(ch, {
    name: 'rollups.cost_by_user',
    query: `SELECT user_id, sum(calls) AS calls, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd
            FROM ${ch.table('cost_hourly_user')}
            WHERE project_id = {project:String} AND hour >= {from:DateTime64(6, 'UTC')} AND hour < {to:DateTime64(6, 'UTC')}
            GROUP BY user_id ORDER BY cost_usd DESC, user_id`,
    params: { project: projectId, from: microsToClickHouse(range.fromUs), to: microsToClickHouse(range.toUs) },
    schema: ByUser,
  })
}

const ByTag = z.object({
  tag_value: z.string(),
  calls: z.coerce.number(),
  input_tokens: z.coerce.number(),
  output_tokens: z.coerce.number(),
  cost_usd: z.coerce.number(),
})
export type CostByTagRow = z.infer<typeof ByTag>

/** Cost and usage per value of one tag key over [fromUs, toUs), from `cost_hourly_tag`. */
export async function costByTag(
  ch: ClickHouse,
  projectId: string,
  tagKey: string,
  range: { fromUs: number; toUs: number },
): Promise<CostByTagRow[]> {
  return runQuery(ch, {
    name: 'rollups.cost_by_tag',
    query: `SELECT tag_value, sum(calls) AS calls, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd
            FROM ${ch.table('cost_hourly_tag')}
            WHERE project_id = {project:String} AND tag_key = {key:String}
              AND hour >= {from:DateTime64(6, 'UTC')} AND hour < {to:DateTime64(6, 'UTC')}
            GROUP BY tag_value ORDER BY cost_usd DESC, tag_value`,
    params: {
      project: projectId,
      key: tagKey,
      from: microsToClickHouse(range.fromUs),
      to: microsToClickHouse(range.toUs),
    },
    schema: ByTag,
  })
}
