// The data each report is drawn from. Its canonical JSON's SHA-256 is printed in the report's last
// block, so the figures a PDF shows can be tied to the data they came from.
import { z } from 'zod'
import type { SpanView } from '@tollgate/core'
import type { ComplianceScore } from './checks.js'
import { sha256Hex } from './signing.js'

/** Audit entries printed in a trace report; `GET /api/audit?trace_id=` lists them all. */
export const MAX_AUDIT_LINES = 200

export interface AuditLine {
  seq: number
  at: string
  actor: string
  action: string
  target: string
  detail: string
}

export interface TraceReportData {
  report_id: string
  generated_at: string
  project_id: string
  trace: {
    trace_id: string
    name: string
    start_time: string
    end_time: string
    duration_ms: number
    spans: number
    errors: number
    input_tokens: number
    output_tokens: number
    cost_usd: number
    /** Model calls without a price (counted as $0). */
    unknown_cost_spans: number
    models: string[]
    agents: string[]
  }
  spans: Pick<
    SpanView,
    'span_id' | 'parent_span_id' | 'name' | 'kind' | 'start_time' | 'end_time' | 'duration_ms' | 'status' | 'model'
  >[]
  costs_by_model: {
    provider: string
    model: string
    calls: number
    input_tokens: number
    output_tokens: number
    cost_usd: number
  }[]
  compliance: ComplianceScore
  audit: AuditLine[]
  /** The project's chain head when the report was made: a later truncation of the log shows against it. */
  audit_head: { seq: number; hash: string } | null
}

const Sums = {
  calls: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number(),
}

/** `GET /api/reports/monthly` (JSON); the PDF draws the same object. */
export const MonthlyReport = z.object({
  month: z.string().describe('YYYY-MM (UTC)'),
  from: z.string().describe('RFC 3339, inclusive'),
  to: z.string().describe('RFC 3339, exclusive'),
  total_cost_usd: z.number(),
  traces: z.number(),
  spans: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  tokens: z.number().describe('input + output'),
  error_rate: z.number(),
  unknown_cost_calls: z.number().describe('calls without a price, counted as $0'),
  cost_by_day: z.array(z.object({ day: z.string(), ...Sums })),
  cost_by_model: z.array(z.object({ provider: z.string(), model: z.string(), ...Sums })),
  cost_by_agent: z.array(z.object({ agent_id: z.string(), agent_name: z.string(), ...Sums })),
  top_traces: z.array(
    z.object({
      trace_id: z.string(),
      name: z.string(),
      start_time: z.string(),
      spans: z.number(),
      cost_usd: z.number(),
    }),
  ),
})
export type MonthlyReport = z.infer<typeof MonthlyReport>

/** JSON with object keys sorted at every level: the same data always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  )
}

export const dataSha256 = (value: unknown): string => sha256Hex(canonicalJson(value))
