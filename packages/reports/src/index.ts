export {
  CHECKS,
  ComplianceCheck,
  ComplianceScore,
  FRAMEWORK,
  MIN_RETENTION_DAYS,
  RETENTION_REASON_ATTRIBUTES,
  scoreTrace,
  type ComplianceFacts,
} from './checks.js'
export {
  GENERATED_KEY_FILE,
  loadSigningKey,
  sha256Hex,
  signingKeyFromPem,
  signReport,
  verifyReport,
  VerifyResult,
  type ReportSignature,
  type SigningAlg,
  type SigningKey,
} from './signing.js'
export {
  canonicalJson,
  dataSha256,
  MAX_AUDIT_LINES,
  MonthlyReport,
  type AuditLine,
  type TraceReportData,
} from './model.js'
export { renderTraceReport, TIMELINE_MAX_SPANS } from './pdf/trace.js'
export { renderMonthlyReport } from './pdf/monthly.js'
export { publishSigningKey, publishedJwks, verifyWithPublishedKeys } from './keys.js'
export { buildTraceReport, traceCompliance, MAX_SCORED_SPANS, type ReportCtx, type SignedPdf } from './trace-verbs.js'
export { buildMonthlyPdf, monthlyReport, monthRange } from './monthly-verbs.js'
export { MONTH_TRACE_COLUMNS, MonthTraceRow, tracesInRange, topTracesByCost } from './queries.js'
