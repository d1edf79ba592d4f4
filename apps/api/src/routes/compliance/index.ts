import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { buildTraceReport, ComplianceScore, traceCompliance, type ReportCtx } from '@tollgate/reports'
import type { Context } from 'hono'
import type { AppEnv } from '../../context.js'
import { commonProblems, openApiRoutes, problemResponse } from '../../lib/openapi-route.js'
import { parseTraceId, TraceIdParam } from '../traces/schema.js'
import { actorOf } from '../audit/record.js'
import { signatureHeaders, signingKeyOf } from '../reports/signer.js'

// Mounted under /api/traces beside the trace routes (apps/api/src/routes/traces/), in a file of its own.

export const reportCtx = (c: Context<AppEnv>): ReportCtx => ({
  ch: c.var.deps.ch,
  db: c.var.deps.pg.db,
  projectId: c.var.caller.projectId,
  config: {
    retentionDays: c.var.deps.env.DATA_RETENTION_DAYS,
    zeroDataRetention: c.var.deps.env.ZERO_DATA_RETENTION,
    piiPolicy: c.var.deps.env.PII_POLICY,
  },
})

export const Pdf = z.string().meta({ format: 'binary', description: 'the PDF bytes' })
export const signedPdfHeaders = {
  'X-Signature': {
    description: 'detached compact JWS (`header..signature`) over the SHA-256 of these bytes and the report id',
    schema: { type: 'string' },
  },
  'X-Report-Id': { description: 'the report id (also in the JWS header and the PDF)', schema: { type: 'string' } },
  'X-Signing-Key-Id': { description: 'kid of the key in GET /api/reports/keys', schema: { type: 'string' } },
} as const

const scoreRoute = createRoute({
  method: 'get',
  path: '/{id}/compliance-score',
  summary: "EU AI Act Art. 12 record-keeping score (0-100) of a trace, with each check's result",
  description: 'The checklist and the article text each check serves: docs/compliance.md. Same data, same score.',
  request: { params: TraceIdParam },
  responses: {
    200: {
      description: 'the score',
      content: { 'application/json': { schema: ComplianceScore.meta({ id: 'ComplianceScore' }) } },
    },
    400: problemResponse('not a trace id'),
    404: problemResponse('no such trace in this project'),
    ...commonProblems,
  },
})

const reportRoute = createRoute({
  method: 'get',
  path: '/{id}/compliance-report',
  summary: 'Signed PDF compliance report of a trace',
  description:
    'Summary, span timeline, costs, the checklist, the audit entries touching the trace and an integrity block. ' +
    'Signed (X-Signature); verify with POST /api/reports/verify or offline with `tollgate verify-report`. ' +
    'The generation is audited.',
  request: { params: TraceIdParam },
  responses: {
    200: { description: 'the PDF', headers: signedPdfHeaders, content: { 'application/pdf': { schema: Pdf } } },
    400: problemResponse('not a trace id'),
    404: problemResponse('no such trace in this project'),
    ...commonProblems,
  },
})

export const complianceRoutes = openApiRoutes()

complianceRoutes.openapi(scoreRoute, async (c) => {
  const traceId = parseTraceId(c.req.valid('param').id)
  const { score } = await traceCompliance(reportCtx(c), traceId)
  return c.json(score, 200)
})

complianceRoutes.openapi(reportRoute, async (c) => {
  const traceId = parseTraceId(c.req.valid('param').id)
  const key = await signingKeyOf(c.var.deps)
  const signed = await buildTraceReport({ ...reportCtx(c), key, actor: actorOf(c) }, traceId)
  return c.body(Buffer.from(signed.pdf), 200, signatureHeaders(signed, `compliance-${traceId}.pdf`))
})
