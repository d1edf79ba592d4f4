// Every query in this file takes the project id as a required parameter and filters on it first:
// `project_id` leads the sort key of `spans`, so the filter also selects the range that is read.
//
// Metrics are computed from the deduplicated spans (`spans FINAL`): percentiles need every value.
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
export function spanWhere(f: AnalyticsFilter): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {
    project: f.projectId,
    from: microsToClickHouse(f.fromUs),
    to: microsToClickHouse(f.toUs),
  }
  const parts = [
    'project_id = {project:String}',
    "start_time >= {from:DateTime64(6, 'UTC')}",
    "start_time < {to:DateTime64(6, 'UTC')}",
  ]
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
const quantile = z
  .union([z.number(), z.string(), z.null()])
  .transform((v) => (v === null || v === 'nan' || Number.isNaN(Number(v)) ? null : Number(v)))

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
  ttft_ms: z
    .object({ p50: z.number().nullable(), p95: z.number().nullable() })
    .describe('over streamed spans that report a time to first token'),
})
export type Metrics = z.infer<typeof Metrics>

/** Counts, sums, error rate and exact latency percentiles over the spans starting in [fromUs, toUs). */
export async function getMetrics(ch: ClickHouse, f: AnalyticsFilter): Promise<Metrics> {
  const w = spanWhere(f)
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
