import type { TraceReportData } from '../model.js'
import { dataSha256, MAX_AUDIT_LINES } from '../model.js'
import { clean, COLORS, CONTENT_WIDTH, int, Layout, PAGE, usd } from './layout.js'

/** Spans drawn in the timeline; the rest are counted below it (the JSON endpoints list them all). */
export const TIMELINE_MAX_SPANS = 60

const scoreColor = (score: number): string => (score >= 80 ? COLORS.ok : score >= 50 ? COLORS.warn : COLORS.bad)

/** Renders the compliance report of one trace; `keyId` is printed in the closing block. */
export async function renderTraceReport(data: TraceReportData, keyId: string): Promise<Uint8Array> {
  const t = data.trace
  const generatedAt = new Date(data.generated_at)
  const out = new Layout({
    title: `Compliance report: trace ${t.trace_id}`,
    subject: 'EU AI Act Art. 12 record-keeping',
    createdAt: generatedAt,
  })
  out.banner('Trace compliance report', 'EU AI Act Art. 12 record-keeping', [
    `Trace ${t.trace_id}`,
    `Project ${data.project_id}`,
    `Generated ${data.generated_at.slice(0, 19).replace('T', ' ')} UTC`,
  ])

  const failed = data.compliance.checks.filter((c) => !c.passed).length
  out.tiles([
    { label: 'Compliance score', value: `${data.compliance.score} / 100`, color: scoreColor(data.compliance.score) },
    { label: 'Checks passed', value: `${data.compliance.checks.length - failed} of ${data.compliance.checks.length}` },
    { label: 'Total cost', value: usd(t.cost_usd) },
    { label: 'Spans / errors', value: `${int(t.spans)} / ${int(t.errors)}`, color: t.errors ? COLORS.bad : undefined },
  ])

  out.section('Summary')
  out.facts(
    [
      ['Trace id', t.trace_id],
      ['Name', t.name],
      ['Started', t.start_time],
      ['Ended', t.end_time],
      ['Duration', `${int(t.duration_ms)} ms`],
      ['Tokens (input / output)', `${int(t.input_tokens)} / ${int(t.output_tokens)}`],
      ['Models', t.models.join(', ') || '-'],
      ['Agents', t.agents.join(', ') || '-'],
    ],
    2,
  )

  out.section('EU AI Act Art. 12 checklist', 120)
  out.table(
    [
      { header: 'Result', width: 48 },
      { header: 'Check', width: 190 },
      { header: 'Weight', width: 45, align: 'right' },
      { header: 'Detail', width: 230 },
    ],
    data.compliance.checks.map((c) => [c.passed ? 'PASS' : 'FAIL', c.title, String(c.weight), c.detail]),
    { colors: data.compliance.checks.map((c) => [c.passed ? COLORS.ok : COLORS.bad]) },
  )

  timeline(out, data)

  out.section('Costs by model')
  out.table(
    [
      { header: 'Provider', width: 80 },
      { header: 'Model', width: 150 },
      { header: 'Calls', width: 50, align: 'right' },
      { header: 'Input tokens', width: 80, align: 'right' },
      { header: 'Output tokens', width: 80, align: 'right' },
      { header: 'Cost', width: 80, align: 'right' },
    ],
    [
      ...data.costs_by_model.map((m) => [
        m.provider || '-',
        m.model || '-',
        int(m.calls),
        int(m.input_tokens),
        int(m.output_tokens),
        usd(m.cost_usd),
      ]),
      ['', 'Total', int(t.spans), int(t.input_tokens), int(t.output_tokens), usd(t.cost_usd)],
    ],
  )
  if (t.unknown_cost_spans > 0) out.note(`${t.unknown_cost_spans} model call(s) have no known price and count as $0.`)

  out.section('Audit entries touching this trace')
  if (data.audit.length === 0) out.note('No audit entry names this trace or falls within its time range.')
  else
    out.table(
      [
        { header: '#', width: 35, align: 'right' },
        { header: 'Time (UTC)', width: 120 },
        { header: 'Action', width: 110 },
        { header: 'Actor', width: 80 },
        { header: 'Target / detail', width: 170 },
      ],
      data.audit.map((a) => [String(a.seq), a.at, a.action, a.actor, [a.target, a.detail].filter(Boolean).join(' ')]),
    )
  if (data.audit.length >= MAX_AUDIT_LINES)
    out.note(`The first ${MAX_AUDIT_LINES} entries; GET /api/audit?trace_id=${data.trace.trace_id} lists them all.`)
  if (data.audit_head)
    out.note(`Audit chain head at generation: entry ${data.audit_head.seq}, hash ${data.audit_head.hash}`)

  out.integrity({
    reportId: data.report_id,
    generatedAt,
    dataSha256: dataSha256(data),
    keyId,
    verifyHint:
      "The signature (X-Signature, a detached JWS over this file's SHA-256 and the report id) is checked offline with " +
      '"tollgate verify-report FILE --signature SIG --jwks JWKS", the keys being those of GET /api/reports/keys.',
  })
  return out.finish(data.report_id)
}

/** Depth of each span under its ancestors present in the trace (orphans start at 0). */
function depths(spans: TraceReportData['spans']): Map<string, number> {
  const parent = new Map(spans.map((s) => [s.span_id, s.parent_span_id]))
  const out = new Map<string, number>()
  for (const s of spans) {
    let d = 0
    let p = s.parent_span_id
    const seen = new Set<string>()
    while (p && parent.has(p) && !seen.has(p) && d < 12) {
      seen.add(p)
      d++
      p = parent.get(p) ?? null
    }
    out.set(s.span_id, d)
  }
  return out
}

/** A Gantt chart of the spans against the trace's time axis, coloured by status. */
function timeline(out: Layout, data: TraceReportData): void {
  const spans = data.spans.slice(0, TIMELINE_MAX_SPANS)
  out.section('Span timeline', 90)
  const d = out.doc
  const t0 = Date.parse(data.trace.start_time)
  const total = Math.max(1, Date.parse(data.trace.end_time) - t0)
  const labelW = 170
  const x0 = PAGE.margin + labelW
  const w = CONTENT_WIDTH - labelW
  // Rows shrink for a long trace so more of the timeline stays on one page.
  const rowH = spans.length > 20 ? 10 : 12
  const depth = depths(data.spans)

  const axis = (): void => {
    const y = d.y
    d.font('Helvetica').fontSize(7).fillColor(COLORS.muted)
    for (let i = 0; i <= 4; i++) {
      const x = x0 + (w * i) / 4
      const label = `${int((total * i) / 4)} ms`
      d.text(label, i === 4 ? x - 60 : i === 0 ? x : x - 30, y, {
        width: 60,
        align: i === 4 ? 'right' : i === 0 ? 'left' : 'center',
        lineBreak: false,
      })
    }
    d.y = y + 10
  }
  axis()
  for (const s of spans) {
    if (d.y + rowH > PAGE.height - PAGE.margin - 30) {
      d.addPage()
      d.y = PAGE.margin
      axis()
    }
    const y = d.y
    const indent = Math.min(6, depth.get(s.span_id) ?? 0) * 7
    d.font('Helvetica').fontSize(7).fillColor(COLORS.ink)
    d.text(clean(s.name, 40), PAGE.margin + indent, y + 2, {
      width: labelW - indent - 6,
      lineBreak: false,
      ellipsis: true,
    })
    d.save()
      .rect(x0, y + 5.5, w, 0.4)
      .fill(COLORS.rule)
      .restore()
    // Gridlines row by row, under the bar and its label (a page break may fall between rows).
    d.save().lineWidth(0.3).strokeColor(COLORS.rule)
    for (let i = 0; i <= 4; i++)
      d.moveTo(x0 + (w * i) / 4, y)
        .lineTo(x0 + (w * i) / 4, y + rowH)
        .stroke()
    d.restore()
    const start = (Date.parse(s.start_time) - t0) / total
    const end = (Date.parse(s.end_time) - t0) / total
    const bx = x0 + Math.max(0, start) * w
    const bw = Math.max(1.5, (Math.min(1, end) - Math.max(0, start)) * w)
    const color = s.status === 'error' ? COLORS.bad : s.kind === 'llm' ? COLORS.accent : '#829ab1'
    d.save()
      .rect(bx, y + 2, bw, rowH - 4)
      .fill(color)
      .restore()
    const label = `${int(s.duration_ms)} ms${s.model ? ` ${clean(s.model, 30)}` : ''}`
    d.fontSize(6.5)
    const lw = d.widthOfString(label)
    const fits = bw > lw + 6
    // Inside the bar when it fits, else after it, else (near the right edge) before it.
    const lx = fits ? bx + 3 : bx + bw + 3 + lw <= x0 + w ? bx + bw + 3 : Math.max(x0, bx - lw - 3)
    d.fillColor(fits ? '#ffffff' : COLORS.muted).text(label, lx, y + 3.5, { lineBreak: false })
    d.y = y + rowH
  }
  d.fillColor(COLORS.ink)
  d.y += 4
  const legend = `Blue: model calls; grey: other spans; red: errors.${
    data.trace.spans > spans.length ? ` ${data.trace.spans - spans.length} later span(s) not drawn.` : ''
  }`
  out.note(legend)
}
