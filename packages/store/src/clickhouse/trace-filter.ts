// SQL pieces of the trace list's filters. Every piece is parameterised; the caller passes the params
// object the pieces write into. The project id is a parameter of every query that uses them.
import { microsToClickHouse } from '@tollgate/core'

export interface TraceFilter {
  /** Whole words (any order, case-insensitive) in a span's name, input or output; or a trace id. */
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
  /** Traces with a span whose prompt has this SHA-256 (lower-case hex): exact repeats. */
  promptSha256?: string | undefined
}

/** Search without `from` looks this far back (docs/architecture.md, "Queries"). */
export const SEARCH_DEFAULT_WINDOW_US = 7 * 86_400_000_000

export const isTraceId = (s: string): boolean => /^[0-9a-f]{32}$/i.test(s)

/** Index column, span column, filter field: a trace matches when one of its spans has the value. */
const ANY_SPAN: ReadonlyArray<readonly [keyof TraceFilter, string, string]> = [
  ['agentId', 'agent_ids', 'agent_id'],
  ['model', 'models', 'model'],
  ['userId', 'user_ids', 'user_id'],
  ['sessionId', 'session_ids', 'session_id'],
]

/**
 * A user, session or agent filter: its traces are found through a projection of spans (migration 0006)
 * that reads only that value's rows, so the whole range costs about what one window would.
 */
export const hasProjectedFilter = (f: TraceFilter): boolean => Boolean(f.userId || f.sessionId || f.agentId)

/** Whether a filter must be matched by a span (rather than by the trace's totals or start). */
export const hasSpanFilter = (f: TraceFilter): boolean =>
  Boolean(
    f.search ||
    f.promptSha256 ||
    f.agentId ||
    f.model ||
    f.userId ||
    f.sessionId ||
    Object.keys(f.tags ?? {}).length > 0,
  )

/**
 * `trace_id IN (…)` conditions for `trace_index` rows: one per filter a single span must satisfy, each
 * served by a bloom-filter index (or, for search, the text indexes of spans). Rows are bounded below by
 * `{lo}`: a trace starting at or after it has every span after it.
 */
export function indexConditions(
  filter: TraceFilter,
  tables: { index: string; spans: string },
  params: Record<string, unknown>,
  options: { rowsOnly?: boolean } = {},
): string[] {
  const out: string[] = []
  // `rowsOnly`: the caller only counts distinct trace ids of matching rows, so one such filter can test
  // the row itself; two need the IN form (different spans of a trace may match each).
  const spanFilters = ANY_SPAN.filter(([key]) => Boolean(filter[key])).length + Object.keys(filter.tags ?? {}).length
  const direct = options.rowsOnly === true && spanFilters === 1
  const sub = (where: string): string =>
    direct
      ? where
      : `trace_id IN (SELECT trace_id FROM ${tables.index} WHERE project_id = {project:String} AND start_time >= {lo:DateTime64(6, 'UTC')} AND ${where})`
  for (const [key, , param] of ANY_SPAN) {
    const value = filter[key]
    if (typeof value !== 'string' || value === '') continue
    params[param] = value
    if (key === 'model') {
      out.push(sub(`has(models, {model:String})`))
      continue
    }
    // A user, session or agent: the spans' projection sorted by it (migration 0006) finds its traces by
    // reading that value's granules; the index rows' bloom filters skip almost nothing for these.
    out.push(`trace_id IN (SELECT trace_id FROM ${tables.spans} WHERE project_id = {project:String}
        AND ${param} = {${param}:String} AND start_time >= {lo:DateTime64(6, 'UTC')})`)
  }
  Object.entries(filter.tags ?? {}).forEach(([k, v], i) => {
    params[`tag${i}`] = `${k}\u0000${v}`
    out.push(sub(`has(tags, {tag${i}:String})`))
  })
  if (filter.search) {
    if (isTraceId(filter.search)) {
      params.search_id = filter.search.toLowerCase()
      out.push('trace_id = {search_id:String}')
    } else {
      params.search = filter.search.toLowerCase()
      out.push(`trace_id IN (SELECT trace_id FROM ${tables.spans} WHERE project_id = {project:String} AND start_time >= {lo:DateTime64(6, 'UTC')}
        AND (hasAllTokens(name, {search:String}) OR hasAllTokens(input, {search:String}) OR hasAllTokens(output, {search:String})))`)
    }
  }
  if (filter.promptSha256) {
    params.prompt_sha256 = filter.promptSha256
    out.push(`trace_id IN (SELECT trace_id FROM ${tables.spans} WHERE project_id = {project:String} AND start_time >= {lo:DateTime64(6, 'UTC')}
        AND prompt_sha256 = {prompt_sha256:String})`)
  }
  return out
}

/**
 * The same filters checked exactly on a trace's deduplicated spans (`HAVING` of the page query), plus
 * the trace-level ones (status, cost, start bounds). Search compares lower-cased text token by token,
 * as the text indexes do.
 */
export function spanHaving(filter: TraceFilter, params: Record<string, unknown>): string {
  const conditions: string[] = ['1']
  for (const [key, , column] of ANY_SPAN) {
    const value = filter[key]
    if (typeof value !== 'string' || value === '') continue
    params[column] = value
    conditions.push(`countIf(${column} = {${column}:String}) > 0`)
  }
  Object.entries(filter.tags ?? {}).forEach(([k, v], i) => {
    params[`tag_k${i}`] = k
    params[`tag_v${i}`] = v
    conditions.push(`countIf(tags[{tag_k${i}:String}] = {tag_v${i}:String}) > 0`)
  })
  if (filter.search && !isTraceId(filter.search)) {
    params.search = filter.search.toLowerCase()
    conditions.push(`countIf(hasAllTokens(lower(name), {search:String}) OR hasAllTokens(lower(input), {search:String})
      OR hasAllTokens(lower(output), {search:String})) > 0`)
  }
  if (filter.promptSha256) {
    params.prompt_sha256 = filter.promptSha256
    conditions.push('countIf(prompt_sha256 = {prompt_sha256:String}) > 0')
  }
  if (filter.status) {
    params.status = filter.status
    conditions.push('t_status = {status:String}')
  }
  if (filter.minCost !== undefined) {
    params.min_cost = filter.minCost
    conditions.push('t_cost >= {min_cost:Float64}')
  }
  if (filter.fromUs !== undefined) {
    params.from = microsToClickHouse(filter.fromUs)
    conditions.push(`min(start_time) >= {from:DateTime64(6, 'UTC')}`)
  }
  if (filter.toUs !== undefined) {
    params.to = microsToClickHouse(filter.toUs)
    conditions.push(`min(start_time) < {to:DateTime64(6, 'UTC')}`)
  }
  return conditions.join(' AND ')
}

/** Trace-level conditions on aggregated `trace_index` rows (the candidate query's `HAVING`). */
export function indexHaving(filter: TraceFilter, params: Record<string, unknown>): string {
  const conditions: string[] = ['1']
  if (filter.status) {
    params.status = filter.status
    conditions.push(`multiIf(sum(errors) > 0, 'error', sum(oks) > 0, 'ok', 'unset') = {status:String}`)
  }
  if (filter.minCost !== undefined) {
    params.min_cost = filter.minCost
    conditions.push('sum(cost_usd) >= {min_cost:Float64}')
  }
  if (filter.fromUs !== undefined) {
    params.from = microsToClickHouse(filter.fromUs)
    conditions.push(`min(start_time) >= {from:DateTime64(6, 'UTC')}`)
  }
  if (filter.toUs !== undefined) {
    params.to = microsToClickHouse(filter.toUs)
    conditions.push(`min(start_time) < {to:DateTime64(6, 'UTC')}`)
  }
  return conditions.join(' AND ')
}
