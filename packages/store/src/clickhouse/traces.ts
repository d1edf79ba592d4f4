// Every query in this file takes the project id as a required parameter and filters on it first:
// `project_id` leads the sort key of `trace_index` and of `spans`, so the filter also selects the range
// that is read.
//
// The list is found on `trace_index` (sorted by project, start time) and its page is aggregated from
// the deduplicated spans of the page's traces only (sorted by project, trace id): docs/architecture.md,
// "Queries".
import { z } from 'zod'
import { clickHouseToMicros, microsToClickHouse, microsToIso, type TraceSummary } from '@tollgate/core'
import type { ClickHouse } from './client.js'
import { runQuery } from './query.js'
import {
  SEARCH_DEFAULT_WINDOW_US,
  hasProjectedFilter,
  hasSpanFilter,
  indexConditions,
  indexHaving,
  spanHaving,
  type TraceFilter,
} from './trace-filter.js'

export type { TraceFilter } from './trace-filter.js'
export type TraceSort = 'time' | 'cost' | 'duration' | 'tokens'

export interface TraceListInput {
  projectId: string
  filter: TraceFilter
  sort: TraceSort
  order: 'asc' | 'desc'
  limit: number
  offset: number
  /** Keyset position: the sort value and trace id of the last row already seen. */
  after?: { value: number; traceId: string } | undefined
  /**
   * `approx` (default): distinct trace ids among the matching index rows, `uniq` (exact up to ~65k
   * traces, within ~1% above; a trace straddling from/to may count). `exact`: every matching trace
   * grouped and checked. `none`: not counted (total -1). Status and min_cost filters always count exactly.
   */
  total?: 'exact' | 'approx' | 'none' | undefined
}

export interface TracePage {
  traces: TraceSummary[]
  total: number
  totalExact: boolean
  nextAfter: { value: number; traceId: string } | null
}

/** Sort value per trace, over `trace_index` rows (candidates) and over spans (the exact page). */
const SORT: Record<TraceSort, { index: string; spans: string }> = {
  time: {
    index: 'toFloat64(toUnixTimestamp64Micro(min(start_time)))',
    spans: 'toFloat64(toUnixTimestamp64Micro(min(start_time)))',
  },
  cost: { index: 'sum(cost_usd)', spans: 'sum(cost_total_usd)' },
  duration: {
    index: '(toUnixTimestamp64Micro(max(end_time)) - toUnixTimestamp64Micro(min(start_time))) / 1000',
    spans: '(toUnixTimestamp64Micro(max(end_time)) - toUnixTimestamp64Micro(min(start_time))) / 1000',
  },
  tokens: {
    index: 'toFloat64(sum(input_tokens) + sum(output_tokens))',
    spans: 'toFloat64(sum(input_tokens) + sum(output_tokens))',
  },
}

/**
 * The list's heavy reads yield to a trace's spans (`priority`: while a query of a lower non-zero value
 * runs, these pause): a user opening a trace is not made to wait behind another client's list.
 */
const LIST_PRIORITY = 'SETTINGS priority = 2'

const Range = z.object({ lo: z.coerce.number(), hi: z.coerce.number(), rows: z.coerce.number() })
const Candidate = z.object({ trace_id: z.string(), sort_key: z.coerce.number() })
const MAX_ROUNDS = 12

export async function listTraces(ch: ClickHouse, input: TraceListInput): Promise<TracePage> {
  const filter: TraceFilter = { ...input.filter }
  // Search reads prompt text: bounded to a recent window unless the caller names one.
  if (filter.search && filter.fromUs === undefined)
    filter.fromUs = Math.max(0, Date.now() * 1000 - SEARCH_DEFAULT_WINDOW_US)
  const [range] = await runQuery(ch, {
    name: 'traces.index_range',
    query: `SELECT toUnixTimestamp64Micro(min(start_time)) AS lo, toUnixTimestamp64Micro(max(start_time)) + 1 AS hi, count() AS rows
            FROM ${ch.table('trace_index')} WHERE project_id = {project:String}`,
    params: { project: input.projectId },
    schema: Range,
  })
  if (!range || range.rows === 0) return { traces: [], total: 0, totalExact: true, nextAfter: null }
  const scope: Scope = {
    ch,
    input,
    filter,
    floor: Math.max(range.lo, filter.fromUs ?? range.lo),
    ceil: range.hi,
    density: range.rows / Math.max(1, range.hi - range.lo),
  }
  const mode = input.total ?? 'approx'
  const [page, total] = await Promise.all([
    findPage(scope),
    mode === 'none' ? Promise.resolve({ n: -1, exact: false }) : countTraces(scope, range.lo, mode),
  ])
  return { ...page, total: total.n, totalExact: total.exact }
}

interface Scope {
  ch: ClickHouse
  input: TraceListInput
  filter: TraceFilter
  /** Least and one past the greatest row start the page can involve, µs. */
  floor: number
  ceil: number
  /** trace_index rows per µs over the project's whole range, to size the first time window. */
  density: number
}

/**
 * Time sorts read a window of the index that grows until it holds the page; other sorts rank every
 * trace in range. Candidates are then checked on spans: a trace that started before the window has a
 * wrong start in it and is dropped (it belongs to a later window), as is one whose exact values fail a
 * filter; when that leaves the page short, more candidates are read.
 */
async function findPage(s: Scope): Promise<Omit<TracePage, 'total' | 'totalExact'>> {
  const { input } = s
  const need = input.offset + input.limit + 1
  const timeSort = input.sort === 'time'
  const desc = input.order === 'desc'
  let lo = s.floor
  // A trace starting before `to` has its earliest row before it: later rows cannot change its start.
  let hi = timeSort && s.filter.toUs !== undefined ? Math.min(s.ceil, s.filter.toUs) : s.ceil
  if (lo >= hi) return { traces: [], nextAfter: null }
  if (timeSort && input.after) {
    if (desc) hi = Math.min(hi, input.after.value + 1)
    else lo = Math.max(lo, input.after.value)
  }
  // Whole µs, and never past the range: the window bounds are bound as DateTime64 texts. A filter a
  // span must match thins the rows out by an unknown factor: its first window is 64× wider (a 1-in-5
  // filter then fills the page in one round); a user, session or agent filter reads only its own rows
  // (a projection), so it takes the whole range in one round.
  const full = s.ceil - s.floor + 1
  const sized = Math.max(60_000_000, Math.ceil((4 * need) / Math.max(s.density, 1e-12)))
  let width = hasProjectedFilter(s.filter) ? full : Math.min(full, hasSpanFilter(s.filter) ? 64 * sized : sized)
  let n = need
  for (let round = 0; ; round++) {
    const windowLo = timeSort && desc ? Math.max(lo, hi - width) : lo
    const windowHi = timeSort && !desc ? Math.min(hi, lo + width) : hi
    const candidates = await findCandidates(s, windowLo, windowHi, n)
    const exact = await summarize(
      s,
      candidates.map((c) => c.trace_id),
    )
    const kept = exact
      .filter((t) => !timeSort || (t.startUs >= windowLo && t.startUs < windowHi))
      .filter((t) => {
        if (!input.after) return true
        const at = { value: input.after.value, id: input.after.traceId }
        return desc ? before(keyOf(t), at) : before(at, keyOf(t))
      })
      .sort((a, b) => (desc ? order(b, a) : order(a, b)))
    const windowDone = !timeSort || (desc ? windowLo <= lo : windowHi >= hi)
    const exhausted = candidates.length < n
    if (kept.length >= need || (exhausted && windowDone) || round >= MAX_ROUNDS) {
      const rows = kept.slice(input.offset, input.offset + input.limit + 1)
      const page = rows.slice(0, input.limit)
      const last = page[page.length - 1]
      return {
        traces: page.map((t) => t.summary),
        nextAfter: rows.length > input.limit && last ? { value: last.value, traceId: last.summary.trace_id } : null,
      }
    }
    // Grow by what the window yielded (×2·need/found, at least ×2); a window that yielded under an
    // eighth of the page goes to the whole range at once: one more scan costs less than several rounds.
    const found = candidates.length
    if (exhausted) width = found * 8 < need ? full : Math.min(full, width * Math.max(2, Math.ceil((2 * need) / found)))
    else n *= 2
  }
}

type Keyed = { value: number; id: string }
const keyOf = (t: Exact): Keyed => ({ value: t.value, id: t.summary.trace_id })
const compare = (a: Keyed, b: Keyed): number => a.value - b.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
const order = (a: Exact, b: Exact): number => compare(keyOf(a), keyOf(b))
const before = (a: Keyed, b: Keyed): boolean => compare(a, b) < 0

/** Candidate traces from `trace_index`, in the requested order by their index-derived sort value. */
async function findCandidates(s: Scope, lo: number, hi: number, n: number): Promise<Array<z.infer<typeof Candidate>>> {
  const { ch, input, filter } = s
  const params: Record<string, unknown> = { project: input.projectId, lo: microsToClickHouse(lo), n }
  const where = ['project_id = {project:String}', `start_time >= {lo:DateTime64(6, 'UTC')}`]
  // A trace's start is the least start of its rows, exact from rows below `hi` alone; sums and status
  // need all of its rows.
  const needsAllRows = input.sort !== 'time' || filter.status !== undefined || filter.minCost !== undefined
  params.hi = microsToClickHouse(needsAllRows ? s.ceil : hi)
  where.push(`start_time < {hi:DateTime64(6, 'UTC')}`)
  where.push(...indexConditions(filter, { index: ch.table('trace_index'), spans: ch.table('spans') }, params))
  const having = [indexHaving(filter, params)]
  if (input.sort === 'time') {
    params.win_hi = microsToClickHouse(hi)
    having.push(`min(start_time) < {win_hi:DateTime64(6, 'UTC')}`)
  }
  const dir = input.order === 'asc' ? 'ASC' : 'DESC'
  if (input.after) {
    params.after_value = input.after.value
    params.after_id = input.after.traceId
    having.push(`(sort_key, trace_id) ${input.order === 'asc' ? '>' : '<'} ({after_value:Float64}, {after_id:String})`)
  }
  return runQuery(ch, {
    name: `traces.candidates_${input.sort}`,
    query: `SELECT trace_id, ${SORT[input.sort].index} AS sort_key FROM ${ch.table('trace_index')}
            WHERE ${where.join(' AND ')} GROUP BY trace_id HAVING ${having.join(' AND ')}
            ORDER BY sort_key ${dir}, trace_id ${dir} LIMIT {n:UInt32} ${LIST_PRIORITY}`,
    params,
    schema: Candidate,
  })
}

/** Matching traces on the index (every row of the project from `lo` on); see TraceListInput.total. */
async function countTraces(s: Scope, lo: number, mode: 'exact' | 'approx'): Promise<{ n: number; exact: boolean }> {
  const { ch, input, filter } = s
  const params: Record<string, unknown> = { project: input.projectId, lo: microsToClickHouse(lo) }
  const exact = mode === 'exact' || filter.status !== undefined || filter.minCost !== undefined
  const where = [
    'project_id = {project:String}',
    `start_time >= {lo:DateTime64(6, 'UTC')}`,
    ...indexConditions(filter, { index: ch.table('trace_index'), spans: ch.table('spans') }, params, {
      rowsOnly: !exact,
    }),
  ]
  let query: string
  if (exact) {
    query = `SELECT count() AS total FROM (SELECT trace_id FROM ${ch.table('trace_index')} WHERE ${where.join(' AND ')}
             GROUP BY trace_id HAVING ${indexHaving(filter, params)})`
  } else {
    if (filter.fromUs !== undefined) {
      params.from = microsToClickHouse(filter.fromUs)
      where.push(`start_time >= {from:DateTime64(6, 'UTC')}`)
    }
    if (filter.toUs !== undefined) {
      params.to = microsToClickHouse(filter.toUs)
      where.push(`start_time < {to:DateTime64(6, 'UTC')}`)
    }
    query = `SELECT uniq(trace_id) AS total FROM ${ch.table('trace_index')} WHERE ${where.join(' AND ')}`
  }
  const rows = await runQuery(ch, {
    name: exact ? 'traces.count_exact' : 'traces.count_approx',
    query: `${query} ${LIST_PRIORITY}`,
    params,
    schema: z.object({ total: z.coerce.number() }),
  })
  return { n: rows[0]?.total ?? 0, exact }
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

/** The span columns a page's summaries and its filters read (spanHaving). */
function summaryInputs(filter: TraceFilter): string {
  const columns = [
    'trace_id',
    'span_id',
    'parent_span_id',
    'name',
    'start_time',
    'end_time',
    'status',
    'input_tokens',
    'output_tokens',
    'cost_total_usd',
    'model',
    'agent_id',
  ]
  if (filter.userId) columns.push('user_id')
  if (filter.sessionId) columns.push('session_id')
  if (Object.keys(filter.tags ?? {}).length > 0) columns.push('tags')
  if (filter.search) columns.push('input', 'output')
  if (filter.promptSha256) columns.push('prompt_sha256')
  return columns.join(', ')
}

interface Exact {
  summary: TraceSummary
  startUs: number
  value: number
}

/** Exact summaries of the given traces from their deduplicated spans (FINAL), failing filters dropped. */
async function summarize(s: Scope, traceIds: string[]): Promise<Exact[]> {
  if (traceIds.length === 0) return []
  const params: Record<string, unknown> = { project: s.input.projectId, ids: traceIds }
  const having = spanHaving(s.filter, params)
  // Every span of a trace starts at or after the trace's earliest index row, so the spans are read
  // from the earliest start of the page's traces on (the index finds it by id, idx_trace_id): daily
  // partitions before it are skipped instead of probed for every id.
  //
  // Deduplicated as FINAL would (the latest `ingested_at` of each key wins), but by `LIMIT 1 BY` over
  // the page's rows: FINAL merges every daily part the range touches (a page of traces spread over 30
  // days: 160–240 ms of 1M spans against 13–29 ms for the same rows read plainly), this only sorts the
  // few rows read. Only the columns the summary and the filters use are read.
  const rows = await runQuery(s.ch, {
    name: 'traces.summaries',
    query: `SELECT ${SUMMARY_COLUMNS}, ${SORT[s.input.sort].spans} AS sort_key FROM (
              SELECT ${summaryInputs(s.filter)} FROM ${s.ch.table('spans')}
              WHERE project_id = {project:String} AND trace_id IN {ids:Array(String)}
                AND start_time >= (SELECT min(start_time) FROM ${s.ch.table('trace_index')}
                                   WHERE project_id = {project:String} AND trace_id IN {ids:Array(String)})
              ORDER BY ingested_at DESC LIMIT 1 BY trace_id, span_id)
            GROUP BY trace_id HAVING ${having} ${LIST_PRIORITY}`,
    params,
    schema: SummaryRow,
  })
  return rows.map((r) => ({ summary: toSummary(r), startUs: clickHouseToMicros(r.t_start), value: r.sort_key }))
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
