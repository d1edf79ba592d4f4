import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  dataSha256,
  MAX_AUDIT_LINES,
  renderMonthlyReport,
  renderTraceReport,
  TIMELINE_MAX_SPANS,
} from '../src/index.js'
import { goodTrace, monthlyReport, spanView, traceReportData, TRACE_ID } from './fixtures.js'
import { ensurePdftoppm, pdfText, renderPng } from './pdf-tools.js'

// PNG pages are kept here when TOLLGATE_REPORT_PNG_DIR is set (to look at them), else in a temp dir.
const dir = process.env.TOLLGATE_REPORT_PNG_DIR ?? mkdtempSync(join(tmpdir(), 'tollgate-pdf-'))
beforeAll(() => ensurePdftoppm())
afterAll(() => {
  if (!process.env.TOLLGATE_REPORT_PNG_DIR) rmSync(dir, { recursive: true, force: true })
})

const PNG_MAGIC = '89504e470d0a1a0a'

describe('trace report PDF', () => {
  const spans = goodTrace(14)
  spans[5] = spanView(5, { status: 'error', error_message: 'rate limited', agent: null })
  const data = traceReportData(spans)

  it('is a PDF whose text holds the trace id, totals, the checklist and the integrity block', async () => {
    const pdf = await renderTraceReport(data, 'kid-test-1')
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-')
    const { text } = await pdfText(pdf)
    expect(text).toContain(TRACE_ID)
    expect(text).toContain(`$${data.trace.cost_usd.toFixed(4)}`)
    expect(text).toContain(data.trace.input_tokens.toLocaleString('en-US'))
    expect(text).toContain(`${data.compliance.score} / 100`)
    expect(text).toContain('FAIL')
    expect(text).toContain('Every model call attributed to an agent')
    expect(text).toContain(data.report_id)
    expect(text).toContain(dataSha256(data))
    expect(text).toContain('kid-test-1')
    expect(text).toContain('circuit.transition')
  })

  it('draws at most the first spans of a large trace and says how many are left out', async () => {
    const many = goodTrace(TIMELINE_MAX_SPANS + 25)
    const big = traceReportData(many)
    big.spans = many.slice(0, TIMELINE_MAX_SPANS)
    const { text } = await pdfText(await renderTraceReport(big, 'kid'))
    expect(text).toContain('25 later span(s) not drawn')
  })

  it('says when the audit entries shown are cut at the limit', async () => {
    const line = data.audit[0] ?? { seq: 1, at: '', actor: '', action: '', target: '', detail: '' }
    const many = { ...data, audit: Array.from({ length: MAX_AUDIT_LINES }, (_, i) => ({ ...line, seq: i + 1 })) }
    const { text } = await pdfText(await renderTraceReport(many, 'kid'))
    expect(text).toContain(`The first ${MAX_AUDIT_LINES} entries`)
    expect((await pdfText(await renderTraceReport(data, 'kid'))).text).not.toContain('The first')
  })

  it('renders to PNG pages with pdftoppm', async () => {
    const pngs = renderPng(await renderTraceReport(data, 'kid-test-1'), dir, 'trace-report')
    expect(pngs.length).toBeGreaterThanOrEqual(1)
    for (const png of pngs) expect(readFileSync(png).subarray(0, 8).toString('hex')).toBe(PNG_MAGIC)
  })
})

describe('monthly report PDF', () => {
  const report = monthlyReport()
  const meta = { reportId: 'rpt_month', projectId: 'default', generatedAt: new Date('2026-12-01T01:00:00Z') }

  it('is a PDF with the month, totals, charts labelled, top traces and the integrity block', async () => {
    const pdf = await renderMonthlyReport(report, meta, 'kid-test-1')
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-')
    const { text } = await pdfText(pdf)
    expect(text).toContain('November 2026')
    expect(text).toContain(
      `$${report.total_cost_usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`,
    )
    expect(text).toContain(report.traces.toLocaleString('en-US'))
    expect(text).toContain('Cost by day')
    expect(text).toContain('Cost by model')
    expect(text).toContain('claude-sonnet-4-5')
    expect(text).toContain(report.top_traces[0]?.trace_id)
    expect(text).toContain(dataSha256(report))
  })

  it('renders to PNG pages with pdftoppm', async () => {
    const pngs = renderPng(await renderMonthlyReport(report, meta, 'kid-test-1'), dir, 'monthly-report')
    expect(pngs.length).toBeGreaterThanOrEqual(1)
    for (const png of pngs) expect(readFileSync(png).subarray(0, 8).toString('hex')).toBe(PNG_MAGIC)
  })
})
