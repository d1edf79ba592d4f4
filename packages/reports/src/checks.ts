// The EU AI Act Art. 12 record-keeping checklist (docs/compliance.md): pure functions of the trace's
// spans and of facts the caller reads (configuration, the audit chain, breaker interventions). Nothing
// here reads a clock or a database, so the same data always gives the same score.
import { z } from 'zod'
import type { SpanView } from '@tollgate/core'

export const FRAMEWORK = 'eu-ai-act-art12'

export const ComplianceCheck = z.object({
  id: z.string(),
  title: z.string(),
  passed: z.boolean(),
  weight: z.number().describe('points this check contributes to the score when it passes'),
  detail: z.string(),
})
export type ComplianceCheck = z.infer<typeof ComplianceCheck>

export const ComplianceScore = z.object({
  trace_id: z.string(),
  score: z.number().int().min(0).max(100),
  framework: z.literal(FRAMEWORK),
  checks: z.array(ComplianceCheck),
})
export type ComplianceScore = z.infer<typeof ComplianceScore>

/** What the checks look at besides the spans; each field is read by the caller, never here. */
export interface ComplianceFacts {
  config: {
    /** DATA_RETENTION_DAYS: how long spans are kept. */
    retentionDays: number
    /** ZERO_DATA_RETENTION: the server drops prompt and completion text on purpose. */
    zeroDataRetention: boolean
    /** PII_POLICY: redact and drop are recorded reasons for text not being kept. */
    piiPolicy: 'redact' | 'drop' | 'keep'
  }
  /** The project's audit hash chain as verified for the report (first broken link, if any). */
  audit: { intact: boolean; entries: number; brokenAt?: number | undefined }
  /** Circuit-breaker transitions reported while the trace ran, and how many of them the audit log holds. */
  breaker: { interventions: number; audited: number }
}

/** Logs must be kept at least six months (Art. 19(1), Art. 26(6)): 183 days. */
export const MIN_RETENTION_DAYS = 183

/** Span attributes by which a producer records why a span's text is not kept. */
export const RETENTION_REASON_ATTRIBUTES = ['tollgate.retention_reason', 'zero_data_retention', 'tollgate.zdr'] as const

const LLM_KINDS = new Set(['llm', 'embedding'])
const isModelCall = (s: SpanView): boolean =>
  LLM_KINDS.has(s.kind) || s.usage.input_tokens > 0 || s.usage.output_tokens > 0
const shortIds = (spans: SpanView[]): string => {
  const ids = spans.slice(0, 3).map((s) => s.span_id)
  return spans.length > 3 ? `${ids.join(', ')} and ${spans.length - 3} more` : ids.join(', ')
}
const failing = (what: string, spans: SpanView[]): string => `${spans.length} span(s) ${what}: ${shortIds(spans)}`

interface CheckDef {
  id: string
  title: string
  weight: number
  run(spans: SpanView[], facts: ComplianceFacts): { passed: boolean; detail: string }
}

function retentionReason(s: SpanView, facts: ComplianceFacts): string | null {
  if (facts.config.zeroDataRetention) return 'zero data retention (server)'
  for (const key of RETENTION_REASON_ATTRIBUTES) {
    const v = s.attributes[key]
    if (v !== undefined && v !== false && v !== '' && v !== 'false') return `${key}=${String(v)}`
  }
  if (s.pii_detected && facts.config.piiPolicy !== 'keep') return `PII policy ${facts.config.piiPolicy}`
  return null
}

/** Weights add up to 100. The order is the order of docs/compliance.md and of the report. */
export const CHECKS: readonly CheckDef[] = [
  {
    id: 'timestamps',
    title: 'Start and end time recorded on every span',
    weight: 15,
    run(spans) {
      const bad = spans.filter((s) => {
        const start = Date.parse(s.start_time)
        const end = Date.parse(s.end_time)
        if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return true
        // A model or tool call with no duration had no end time reported (the end defaults to the start).
        return s.duration_ms === 0 && (isModelCall(s) || s.kind === 'tool')
      })
      return bad.length
        ? { passed: false, detail: failing('without a usable start and end time', bad) }
        : { passed: true, detail: `${spans.length} span(s) carry start and end times` }
    },
  },
  {
    id: 'model_identity',
    title: 'Provider and model named on every model call',
    weight: 15,
    run(spans) {
      const calls = spans.filter(isModelCall)
      const bad = calls.filter((s) => !s.provider || !s.model)
      if (bad.length) return { passed: false, detail: failing('without provider or model', bad) }
      return { passed: true, detail: `${calls.length} model call(s) name provider and model` }
    },
  },
  {
    id: 'io_recorded',
    title: 'Inputs and outputs recorded, or a recorded reason for not keeping them',
    weight: 15,
    run(spans, facts) {
      const calls = spans.filter(isModelCall)
      const reasons = new Set<string>()
      const bad = calls.filter((s) => {
        if (s.input !== null && s.output !== null) return false
        const reason = retentionReason(s, facts)
        if (reason) reasons.add(reason)
        return reason === null
      })
      if (bad.length) return { passed: false, detail: failing('without input/output and without a reason', bad) }
      const why = reasons.size ? `; text not kept for: ${[...reasons].join(', ')}` : ''
      return { passed: true, detail: `${calls.length} model call(s) checked${why}` }
    },
  },
  {
    id: 'errors_recorded',
    title: 'Errors recorded with a message',
    weight: 10,
    run(spans) {
      const errors = spans.filter((s) => s.status === 'error')
      const bad = errors.filter((s) => !s.error_message)
      if (bad.length) return { passed: false, detail: failing('with status error and no message', bad) }
      return { passed: true, detail: errors.length ? `${errors.length} error(s), each with a message` : 'no errors' }
    },
  },
  {
    id: 'agent_attribution',
    title: 'Every model call attributed to an agent',
    weight: 10,
    run(spans) {
      const calls = spans.filter(isModelCall)
      const bad = calls.filter((s) => !s.agent?.id)
      if (bad.length) return { passed: false, detail: failing('without an agent', bad) }
      const agents = new Set(calls.map((s) => s.agent?.id))
      return { passed: true, detail: `${calls.length} model call(s) from ${agents.size} agent(s)` }
    },
  },
  {
    id: 'trace_complete',
    title: 'Trace complete: one root, no orphaned parents',
    weight: 15,
    run(spans) {
      const ids = new Set(spans.map((s) => s.span_id))
      const orphans = spans.filter((s) => s.parent_span_id !== null && !ids.has(s.parent_span_id))
      const roots = spans.filter((s) => s.parent_span_id === null)
      if (orphans.length) return { passed: false, detail: failing('whose parent is missing', orphans) }
      if (roots.length !== 1) return { passed: false, detail: `${roots.length} root spans; expected exactly one` }
      return { passed: true, detail: `${spans.length} span(s) under one root` }
    },
  },
  {
    id: 'retention_policy',
    title: `Retention policy keeps logs at least six months (${MIN_RETENTION_DAYS} days)`,
    weight: 5,
    run(_spans, facts) {
      const days = facts.config.retentionDays
      return days >= MIN_RETENTION_DAYS
        ? { passed: true, detail: `DATA_RETENTION_DAYS=${days}` }
        : { passed: false, detail: `DATA_RETENTION_DAYS=${days}, below ${MIN_RETENTION_DAYS}` }
    },
  },
  {
    id: 'audit_trail_intact',
    title: "The project's audit hash chain verifies",
    weight: 10,
    run(_spans, facts) {
      const a = facts.audit
      return a.intact
        ? { passed: true, detail: `${a.entries} audit entr${a.entries === 1 ? 'y' : 'ies'}, chain intact` }
        : { passed: false, detail: `chain broken at entry ${a.brokenAt ?? '?'}` }
    },
  },
  {
    id: 'breaker_interventions_logged',
    title: 'Circuit-breaker interventions during the trace are in the audit log',
    weight: 5,
    run(_spans, facts) {
      const b = facts.breaker
      if (b.interventions === 0) return { passed: true, detail: 'no breaker transitions while the trace ran' }
      return b.audited >= b.interventions
        ? { passed: true, detail: `${b.interventions} transition(s), all audited` }
        : { passed: false, detail: `${b.interventions - b.audited} of ${b.interventions} transition(s) not audited` }
    },
  },
]

/** The score is the sum of the weights of the checks that pass. A trace without spans is not scored. */
export function scoreTrace(traceId: string, spans: SpanView[], facts: ComplianceFacts): ComplianceScore {
  const checks = CHECKS.map((c) => ({ id: c.id, title: c.title, weight: c.weight, ...c.run(spans, facts) }))
  const score = checks.reduce((sum, c) => sum + (c.passed ? c.weight : 0), 0)
  return { trace_id: traceId, score, framework: FRAMEWORK, checks }
}
