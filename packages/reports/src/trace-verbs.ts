// Verbs for one trace's compliance (score and signed report). No HTTP here: the routes validate,
// call these with the caller's project, and map the result.
import { randomBytes } from 'node:crypto'
import { NotFoundError, type SpanView } from '@tollgate/core'
import {
  appendAudit,
  breakerInterventions,
  getTraceSpans,
  insertReportSignature,
  auditForTrace,
  verifyAuditChain,
  type AuditRow,
  type ClickHouse,
  type Db,
} from '@tollgate/store'
import { scoreTrace, type ComplianceFacts, type ComplianceScore } from './checks.js'
import { dataSha256, MAX_AUDIT_LINES, type AuditLine, type TraceReportData } from './model.js'
import { renderTraceReport, TIMELINE_MAX_SPANS } from './pdf/trace.js'
import { signReport, type SigningKey } from './signing.js'

export interface ReportCtx {
  ch: ClickHouse
  db: Db
  projectId: string
  config: ComplianceFacts['config']
}

/** A trace is scored on at most this many spans; a larger one fails `trace_complete` with a note. */
export const MAX_SCORED_SPANS = 100_000

export const newReportId = (): string => `rpt_${randomBytes(12).toString('hex')}`

async function readAllSpans(ctx: ReportCtx, traceId: string): Promise<{ spans: SpanView[]; truncated: boolean }> {
  const spans: SpanView[] = []
  let after: Parameters<typeof getTraceSpans>[3]['after']
  for (;;) {
    const page = await getTraceSpans(ctx.ch, ctx.projectId, traceId, { limit: 1000, after })
    spans.push(...page.spans)
    if (!page.next) return { spans, truncated: false }
    if (spans.length >= MAX_SCORED_SPANS) return { spans, truncated: true }
    after = page.next
  }
}

const bounds = (spans: SpanView[]): { from: Date; to: Date } => ({
  from: new Date(Math.min(...spans.map((s) => Date.parse(s.start_time)))),
  to: new Date(Math.max(...spans.map((s) => Date.parse(s.end_time)))),
})

/** The score and what it was computed from; NotFoundError when the project has no such trace. */
export async function traceCompliance(
  ctx: ReportCtx,
  traceId: string,
): Promise<{
  score: ComplianceScore
  spans: SpanView[]
  facts: ComplianceFacts
  head: { seq: number; hash: string } | null
}> {
  const { spans, truncated } = await readAllSpans(ctx, traceId)
  // Another project's trace is indistinguishable from a missing one.
  if (spans.length === 0) throw new NotFoundError('trace', traceId)
  const { from, to } = bounds(spans)
  const [chain, breaker] = await Promise.all([
    verifyAuditChain(ctx.db, { projectId: ctx.projectId }),
    breakerInterventions(ctx.db, { projectId: ctx.projectId, from, to }),
  ])
  const facts: ComplianceFacts = {
    config: ctx.config,
    audit: { intact: chain.intact, entries: chain.entries, brokenAt: chain.broken?.seq },
    breaker,
  }
  const score = scoreTrace(traceId, spans, facts)
  if (truncated) {
    const check = score.checks.find((c) => c.id === 'trace_complete')
    if (check?.passed) {
      check.passed = false
      check.detail = `more than ${MAX_SCORED_SPANS} spans; only the first were checked`
      score.score -= check.weight
    }
  }
  return { score, spans, facts, head: chain.head }
}

const auditLine = (r: AuditRow): AuditLine => {
  const details = JSON.parse(r.details) as Record<string, unknown>
  const detail = Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')
  return {
    seq: r.seq,
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    target: `${r.targetType} ${r.targetId}`,
    detail,
  }
}

export interface SignedPdf {
  reportId: string
  pdf: Uint8Array
  signature: string
  keyId: string
  signedAt: Date
}

/**
 * Builds, signs and records the trace's compliance report, then audits its generation (the entry
 * follows the report, so the report shows the chain head just before it).
 */
export async function buildTraceReport(
  ctx: ReportCtx & { key: SigningKey; actor: string },
  traceId: string,
): Promise<SignedPdf> {
  const { score, spans, head } = await traceCompliance(ctx, traceId)
  const { from, to } = bounds(spans)
  const audit = await auditForTrace(ctx.db, { projectId: ctx.projectId, traceId, from, to, limit: MAX_AUDIT_LINES })
  const byModel = new Map<string, TraceReportData['costs_by_model'][number]>()
  for (const s of spans) {
    if (!s.model && s.usage.input_tokens + s.usage.output_tokens === 0 && !s.cost) continue
    const key = `${s.provider ?? ''}\0${s.model ?? ''}`
    const m = byModel.get(key) ?? {
      provider: s.provider ?? '',
      model: s.model ?? '',
      calls: 0,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
    }
    m.calls++
    m.input_tokens += s.usage.input_tokens
    m.output_tokens += s.usage.output_tokens
    m.cost_usd += s.cost?.total_usd ?? 0
    byModel.set(key, m)
  }
  const root = spans.find((s) => s.parent_span_id === null) ?? spans[0]
  const sum = (f: (s: SpanView) => number): number => spans.reduce((a, s) => a + f(s), 0)
  const signedAt = new Date()
  const data: TraceReportData = {
    report_id: newReportId(),
    generated_at: signedAt.toISOString(),
    project_id: ctx.projectId,
    trace: {
      trace_id: traceId,
      name: root?.name ?? '',
      start_time: from.toISOString(),
      end_time: to.toISOString(),
      duration_ms: to.getTime() - from.getTime(),
      spans: spans.length,
      errors: spans.filter((s) => s.status === 'error').length,
      input_tokens: sum((s) => s.usage.input_tokens),
      output_tokens: sum((s) => s.usage.output_tokens),
      cost_usd: sum((s) => s.cost?.total_usd ?? 0),
      // Model calls only: tool and agent spans have no price by nature.
      unknown_cost_spans: spans.filter(
        (s) => s.cost_status === 'unknown' && (s.model !== null || s.usage.input_tokens + s.usage.output_tokens > 0),
      ).length,
      models: [...new Set(spans.flatMap((s) => (s.model ? [s.model] : [])))].sort(),
      agents: [...new Set(spans.flatMap((s) => (s.agent ? [s.agent.id] : [])))].sort(),
    },
    spans: spans.slice(0, TIMELINE_MAX_SPANS).map((s) => ({
      span_id: s.span_id,
      parent_span_id: s.parent_span_id,
      name: s.name,
      kind: s.kind,
      start_time: s.start_time,
      end_time: s.end_time,
      duration_ms: s.duration_ms,
      status: s.status,
      model: s.model,
    })),
    costs_by_model: [...byModel.values()].sort((a, b) => b.cost_usd - a.cost_usd),
    compliance: score,
    audit: audit.map(auditLine),
    audit_head: head,
  }
  const pdf = await renderTraceReport(data, ctx.key.kid)
  return signAndRecord(ctx, {
    kind: 'trace',
    subject: traceId,
    traceId,
    reportId: data.report_id,
    dataSha: dataSha256(data),
    pdf,
    signedAt,
  })
}

/** Signs the bytes, stores the signature, and audits the report's generation. */
export async function signAndRecord(
  ctx: { db: Db; projectId: string; key: SigningKey; actor: string },
  r: {
    kind: 'trace' | 'monthly'
    subject: string
    traceId?: string
    reportId: string
    dataSha: string
    pdf: Uint8Array
    signedAt: Date
  },
): Promise<SignedPdf> {
  const sig = await signReport(ctx.key, r.pdf, r.reportId, r.signedAt)
  await insertReportSignature(ctx.db, {
    reportId: r.reportId,
    projectId: ctx.projectId,
    kind: r.kind,
    subject: r.subject,
    keyId: sig.kid,
    pdfSha256: sig.pdfSha256,
    dataSha256: r.dataSha,
    signature: sig.jws,
    signedAt: r.signedAt,
  })
  await appendAudit(ctx.db, {
    projectId: ctx.projectId,
    actor: ctx.actor,
    action: 'report.generated',
    targetType: 'report',
    targetId: r.reportId,
    traceId: r.traceId,
    details: { kind: r.kind, subject: r.subject, key_id: sig.kid, pdf_sha256: sig.pdfSha256 },
  })
  return { reportId: r.reportId, pdf: r.pdf, signature: sig.jws, keyId: sig.kid, signedAt: r.signedAt }
}
