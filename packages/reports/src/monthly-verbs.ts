// The monthly report: the same store functions as /api/metrics and /api/cost/* over the UTC month,
// so its figures equal theirs for that range.
import { ValidationError } from '@tollgate/core'
import { costBreakdown, getMetrics, type ClickHouse, type Db } from '@tollgate/store'
import { dataSha256, type MonthlyReport } from './model.js'
import { renderMonthlyReport } from './pdf/monthly.js'
import { topTracesByCost } from './queries.js'
import type { SigningKey } from './signing.js'
import { newReportId, signAndRecord, type SignedPdf } from './trace-verbs.js'

/** `YYYY-MM` → [first instant, first instant of the next month), in µs. */
export function monthRange(month: string): { fromUs: number; toUs: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month)
  if (!m) throw new ValidationError('month', 'expected YYYY-MM')
  const year = Number(m[1])
  const index = Number(m[2]) - 1
  return { fromUs: Date.UTC(year, index, 1) * 1000, toUs: Date.UTC(year, index + 1, 1) * 1000 }
}

export async function monthlyReport(ctx: { ch: ClickHouse; projectId: string }, month: string): Promise<MonthlyReport> {
  const range = { projectId: ctx.projectId, ...monthRange(month) }
  const [metrics, byDay, byModel, byAgent, top] = await Promise.all([
    getMetrics(ctx.ch, range),
    costBreakdown(ctx.ch, { ...range, granularity: 'day', tz: 'UTC' }),
    costBreakdown(ctx.ch, { ...range, group: 'model' }),
    costBreakdown(ctx.ch, { ...range, group: 'agent' }),
    topTracesByCost(ctx.ch, { ...range, limit: 10 }),
  ])
  const sums = (r: { calls: number; input_tokens: number; output_tokens: number; cost_usd: number }) => ({
    calls: r.calls,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    cost_usd: r.cost_usd,
  })
  return {
    month,
    from: new Date(range.fromUs / 1000).toISOString(),
    to: new Date(range.toUs / 1000).toISOString(),
    total_cost_usd: metrics.cost_usd,
    traces: metrics.traces,
    spans: metrics.spans,
    input_tokens: metrics.input_tokens,
    output_tokens: metrics.output_tokens,
    tokens: metrics.input_tokens + metrics.output_tokens,
    error_rate: metrics.error_rate,
    unknown_cost_calls: byModel.rows.reduce((a, r) => a + r.unknown_cost_calls, 0),
    cost_by_day: byDay.rows.map((r) => ({ day: r.day ?? '', ...sums(r) })),
    cost_by_model: byModel.rows.map((r) => ({ provider: r.provider ?? '', model: r.model ?? '', ...sums(r) })),
    cost_by_agent: byAgent.rows.map((r) => ({
      agent_id: r.agent_id ?? '',
      agent_name: r.agent_name ?? '',
      ...sums(r),
    })),
    top_traces: top.map((t) => ({
      trace_id: t.trace_id,
      name: t.name,
      start_time: t.start_time,
      spans: t.spans,
      cost_usd: t.cost_usd,
    })),
  }
}

/** The month's report as a signed PDF, recorded and audited like a trace report. */
export async function buildMonthlyPdf(
  ctx: { ch: ClickHouse; db: Db; projectId: string; key: SigningKey; actor: string },
  month: string,
): Promise<SignedPdf> {
  const report = await monthlyReport(ctx, month)
  const reportId = newReportId()
  const signedAt = new Date()
  const pdf = await renderMonthlyReport(
    report,
    { reportId, projectId: ctx.projectId, generatedAt: signedAt },
    ctx.key.kid,
  )
  return signAndRecord(ctx, { kind: 'monthly', subject: month, reportId, dataSha: dataSha256(report), pdf, signedAt })
}
