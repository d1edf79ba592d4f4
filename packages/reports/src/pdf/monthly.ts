import type { MonthlyReport } from '../model.js'
import { dataSha256 } from '../model.js'
import { clean, COLORS, CONTENT_WIDTH, int, Layout, PAGE, usd } from './layout.js'

const PALETTE = ['#2680c2', '#3ebd93', '#f0b429', '#e12d39', '#8719e0', '#0b69a3', '#de911d', '#27ab83']

/** Renders the monthly report; `keyId` is printed in the closing block. */
export async function renderMonthlyReport(
  report: MonthlyReport,
  meta: { reportId: string; projectId: string; generatedAt: Date },
  keyId: string,
): Promise<Uint8Array> {
  const out = new Layout({
    title: `Monthly report ${report.month}`,
    subject: 'LLM usage and cost',
    createdAt: meta.generatedAt,
  })
  out.banner(`Monthly report - ${monthName(report.month)}`, 'LLM usage, cost and errors', [
    `Project ${meta.projectId}`,
    `${report.from.slice(0, 10)} to ${report.to.slice(0, 10)} (UTC, end exclusive)`,
    `Generated ${meta.generatedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC`,
  ])
  out.tiles([
    { label: 'Total cost', value: usd(report.total_cost_usd), color: COLORS.band },
    { label: 'Traces', value: int(report.traces) },
    { label: 'Spans', value: int(report.spans) },
    { label: 'Tokens', value: compact(report.tokens) },
    {
      label: 'Error rate',
      value: `${(report.error_rate * 100).toFixed(2)} %`,
      color: report.error_rate > 0.05 ? COLORS.bad : undefined,
    },
  ])
  if (report.unknown_cost_calls > 0)
    out.note(`${int(report.unknown_cost_calls)} model call(s) without a known price count as $0.`)

  out.section('Cost by day', 140)
  dailyChart(out, report)

  out.section('Cost by model', 40 + Math.min(10, report.cost_by_model.length) * 16)
  modelChart(out, report)

  out.section('Cost by agent')
  if (report.cost_by_agent.length === 0) out.note('No spans this month.')
  else
    out.table(
      [
        { header: 'Agent', width: 190 },
        { header: 'Calls', width: 60, align: 'right' },
        { header: 'Input tokens', width: 85, align: 'right' },
        { header: 'Output tokens', width: 85, align: 'right' },
        { header: 'Cost', width: 80, align: 'right' },
      ],
      report.cost_by_agent.map((a) => [
        a.agent_id
          ? a.agent_name && a.agent_name !== a.agent_id
            ? `${a.agent_name} (${a.agent_id})`
            : a.agent_id
          : '(no agent)',
        int(a.calls),
        int(a.input_tokens),
        int(a.output_tokens),
        usd(a.cost_usd),
      ]),
    )

  out.section('Top traces by cost')
  if (report.top_traces.length === 0) out.note('No traces this month.')
  else
    out.table(
      [
        { header: 'Trace id', width: 200 },
        { header: 'Name', width: 130 },
        { header: 'Started (UTC)', width: 110 },
        { header: 'Spans', width: 45, align: 'right' },
        { header: 'Cost', width: 70, align: 'right' },
      ],
      report.top_traces.map((t) => [
        t.trace_id,
        t.name,
        t.start_time.slice(0, 19).replace('T', ' '),
        int(t.spans),
        usd(t.cost_usd),
      ]),
      { fontSize: 7.5 },
    )

  out.integrity({
    reportId: meta.reportId,
    generatedAt: meta.generatedAt,
    dataSha256: dataSha256(report),
    keyId,
    verifyHint:
      'Figures equal GET /api/metrics and /api/cost/* for the same month; the data is GET /api/reports/monthly. ' +
      'Verify this file offline: tollgate verify-report FILE --signature SIG --jwks JWKS (keys from GET /api/reports/keys).',
  })
  return out.finish(meta.reportId)
}

const monthName = (month: string): string =>
  new Date(`${month}-01T00:00:00Z`).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' })

const compact = (n: number): string =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)} B`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(2)} M`
      : n >= 1e4
        ? `${(n / 1e3).toFixed(1)} k`
        : int(n)

/** Axis labels with as few decimals as the scale needs. */
const axisUsd = (v: number, max: number): string => `$${v.toFixed(max >= 10 ? 0 : max >= 0.1 ? 2 : 4)}`

/** A "nice" axis maximum at or above `v` (1, 2, 2.5, 5 × 10^n). */
function niceMax(v: number): number {
  if (v <= 0) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p
  return 10 * p
}

/** One bar per day of the month (days without spans stay empty), with a labelled y axis. */
function dailyChart(out: Layout, report: MonthlyReport): void {
  const d = out.doc
  const start = new Date(report.from)
  const days = Math.round((Date.parse(report.to) - start.getTime()) / 86_400_000)
  const byDay = new Map(report.cost_by_day.map((r) => [r.day, r.cost_usd]))
  const values = Array.from(
    { length: days },
    (_, i) => byDay.get(new Date(start.getTime() + i * 86_400_000).toISOString().slice(0, 10)) ?? 0,
  )
  const max = niceMax(Math.max(...values))
  const axisW = 52
  const x0 = PAGE.margin + axisW
  const w = CONTENT_WIDTH - axisW
  const h = 80
  const y0 = d.y + 4
  d.font('Helvetica').fontSize(7).fillColor(COLORS.muted)
  for (let i = 0; i <= 4; i++) {
    const y = y0 + h - (h * i) / 4
    d.save()
      .moveTo(x0, y)
      .lineTo(x0 + w, y)
      .lineWidth(0.3)
      .strokeColor(COLORS.rule)
      .stroke()
      .restore()
    d.text(axisUsd((max * i) / 4, max), PAGE.margin, y - 4, { width: axisW - 6, align: 'right', lineBreak: false })
  }
  const slot = w / Math.max(1, days)
  values.forEach((v, i) => {
    const bh = (v / max) * h
    if (bh > 0)
      d.save()
        .rect(x0 + i * slot + slot * 0.15, y0 + h - bh, slot * 0.7, bh)
        .fill(COLORS.accent)
        .restore()
    if (i % 5 === 0 || i === days - 1)
      d.fillColor(COLORS.muted).text(String(i + 1), x0 + i * slot - 4, y0 + h + 3, {
        width: slot + 8,
        align: 'center',
        lineBreak: false,
      })
  })
  d.fillColor(COLORS.ink)
  d.y = y0 + h + 16
  const peak = values.indexOf(Math.max(...values))
  out.note(
    report.total_cost_usd > 0
      ? `Day of the month on the x axis. Highest: day ${peak + 1} with ${usd(values[peak] ?? 0)}.`
      : 'Day of the month on the x axis. No cost this month.',
  )
}

/** Horizontal bars per model, largest first, with cost and share. */
function modelChart(out: Layout, report: MonthlyReport): void {
  const d = out.doc
  const rows = [...report.cost_by_model].sort((a, b) => b.cost_usd - a.cost_usd).slice(0, 10)
  if (rows.length === 0) return out.note('No spans this month.')
  const max = Math.max(...rows.map((r) => r.cost_usd), 1e-12)
  const labelW = 150
  const valueW = 110
  const w = CONTENT_WIDTH - labelW - valueW
  rows.forEach((r, i) => {
    out.ensure(16)
    const y = d.y
    d.font('Helvetica').fontSize(8).fillColor(COLORS.ink)
    d.text(clean(`${r.model || '(no model)'}${r.provider ? ` (${r.provider})` : ''}`, 40), PAGE.margin, y + 2, {
      width: labelW - 6,
      lineBreak: false,
      ellipsis: true,
    })
    const bw = Math.max(1, (r.cost_usd / max) * w)
    d.save()
      .roundedRect(PAGE.margin + labelW, y + 1, bw, 10, 2)
      .fill(PALETTE[i % PALETTE.length] ?? COLORS.accent)
      .restore()
    const share = report.total_cost_usd > 0 ? ` (${((r.cost_usd / report.total_cost_usd) * 100).toFixed(1)} %)` : ''
    d.fillColor(COLORS.ink).text(`${usd(r.cost_usd)}${share}`, PAGE.margin + labelW + w + 6, y + 2, {
      width: valueW - 6,
      align: 'right',
      lineBreak: false,
    })
    d.y = y + 13
  })
  if (report.cost_by_model.length > rows.length)
    out.note(`${report.cost_by_model.length - rows.length} more model(s) in the JSON and CSV exports.`)
}
