import { Readable, pipeline } from 'node:stream'
import { createRoute } from '@hono/zod-openapi'
import { stringify } from 'csv-stringify'
import { z } from 'zod'
import {
  buildMonthlyPdf,
  MONTH_TRACE_COLUMNS,
  monthlyReport,
  MonthlyReport,
  monthRange,
  tracesInRange,
} from '@tollgate/reports'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../context.js'
import { commonProblems, problemResponse } from '../../lib/openapi-route.js'
import { Pdf, signedPdfHeaders } from '../compliance/index.js'
import { actorOf } from '../audit/record.js'
import { signatureHeaders, signingKeyOf } from './signer.js'

const MonthQuery = z.strictObject({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM')
    .describe('a UTC calendar month, YYYY-MM; default the current month'),
})
const monthOf = (q: { month?: string | undefined }): string => q.month ?? new Date().toISOString().slice(0, 7)
const query = MonthQuery.partial()

const jsonRoute = createRoute({
  method: 'get',
  path: '/monthly',
  summary: "A UTC month's totals, cost by day/model/agent, error rate and top traces by cost",
  description: 'Every figure equals GET /api/metrics and /api/cost/* for from/to = the month (same store functions).',
  request: { query },
  responses: {
    200: {
      description: 'the report data',
      content: { 'application/json': { schema: MonthlyReport.meta({ id: 'MonthlyReport' }) } },
    },
    400: problemResponse('invalid month'),
    ...commonProblems,
  },
})

const csvRoute = createRoute({
  method: 'get',
  path: '/monthly/csv',
  summary: "The month's traces, one row per trace (RFC 4180, header row), streamed",
  description: `Columns: ${MONTH_TRACE_COLUMNS.join(', ')}. Sums over each trace's spans starting in the month; lists joined with ";".`,
  request: { query },
  responses: {
    200: { description: 'one row per trace', content: { 'text/csv': { schema: z.string() } } },
    400: problemResponse('invalid month'),
    ...commonProblems,
  },
})

const pdfRoute = createRoute({
  method: 'get',
  path: '/monthly/pdf',
  summary: 'The monthly report as a signed PDF, with charts of cost by day and by model',
  request: { query },
  responses: {
    200: { description: 'the PDF', headers: signedPdfHeaders, content: { 'application/pdf': { schema: Pdf } } },
    400: problemResponse('invalid month'),
    ...commonProblems,
  },
})

export function registerMonthly(app: OpenAPIHono<AppEnv>): void {
  app.openapi(jsonRoute, async (c) => {
    const month = monthOf(c.req.valid('query'))
    return c.json(await monthlyReport({ ch: c.var.deps.ch, projectId: c.var.caller.projectId }, month), 200)
  })

  app.openapi(csvRoute, (c) => {
    const month = monthOf(c.req.valid('query'))
    const range = { projectId: c.var.caller.projectId, ...monthRange(month) }
    const { ch, logger } = c.var.deps
    async function* rows() {
      for await (const page of tracesInRange(ch, range))
        for (const r of page) yield { ...r, models: r.models.join(';'), agents: r.agents.join(';') }
    }
    // One page of traces in memory at a time; the stringifier's back-pressure paces the reads.
    const csv = stringify({ header: true, columns: [...MONTH_TRACE_COLUMNS], record_delimiter: '\r\n', eof: true })
    pipeline(Readable.from(rows()), csv, (error) => {
      if (error) logger.error('reports.csv_failed', { month, error: String(error).slice(0, 300) })
    })
    return c.body(Readable.toWeb(csv) as ReadableStream, 200, {
      'Content-Type': 'text/csv; charset=utf-8; header=present',
      'Content-Disposition': `attachment; filename="tollgate-${month}-traces.csv"`,
    })
  })

  app.openapi(pdfRoute, async (c) => {
    const month = monthOf(c.req.valid('query'))
    monthRange(month)
    const key = await signingKeyOf(c.var.deps)
    const signed = await buildMonthlyPdf(
      { ch: c.var.deps.ch, db: c.var.deps.pg.db, projectId: c.var.caller.projectId, key, actor: actorOf(c) },
      month,
    )
    return c.body(Buffer.from(signed.pdf), 200, signatureHeaders(signed, `tollgate-${month}.pdf`))
  })
}
