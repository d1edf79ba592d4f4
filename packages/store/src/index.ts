export { connectClickHouse, type ClickHouse, type ClickHouseConfig } from './clickhouse/client.js'
export {
  migrateClickHouse,
  applyRetention,
  DEFAULT_CLICKHOUSE_MIGRATIONS,
  MAX_RETENTION_DAYS,
} from './clickhouse/migrate.js'
export { runQuery, runCommand, type NamedQuery } from './clickhouse/query.js'
export { bindParams, BindError } from './clickhouse/bind.js'
export { SpanRow, SPAN_COLUMNS, toSpanRow } from './clickhouse/spans.js'
export { toSpanView } from './clickhouse/span-view.js'
export { insertSpanRows, insertRowLines } from './clickhouse/insert.js'
export { spanRowRecord, rowRecordOfLine, type RowRecord } from './clickhouse/row-line.js'
export {
  listTraces,
  type TraceFilter,
  type TraceListInput,
  type TracePage,
  type TraceSort,
} from './clickhouse/traces.js'
export { SEARCH_DEFAULT_WINDOW_US } from './clickhouse/trace-filter.js'
export { getTraceSpans, type SpanCursor, type SpanPage } from './clickhouse/trace-spans.js'
export { getMetrics, Metrics, type AnalyticsFilter } from './clickhouse/analytics.js'
export {
  costBreakdown,
  rollupCanAnswer,
  UNKNOWN_COST_CALL,
  CostRow,
  CostSums,
  type CostInput,
  type CostGroup,
  type CostSource,
  type Granularity,
} from './clickhouse/cost.js'
export {
  refreshRecentRollups,
  costByModel,
  costByUser,
  costByTag,
  type CostByModelRow,
  type CostByUserRow,
  type CostByTagRow,
  type DerivedTable,
} from './clickhouse/rollups.js'
// The domain objects live in @tollgate/core (domain/traces.ts); re-exported for existing importers.
export { SpanView, TraceSummary, TraceGraph, buildTraceGraph } from '@tollgate/core'
export { connectPostgres, type Postgres, type PostgresConfig, type Db } from './postgres/client.js'
export { migratePostgres, pingPostgres, DEFAULT_POSTGRES_MIGRATIONS } from './postgres/migrate.js'
export * as pgSchema from './postgres/schema.js'
export { DEFAULT_PROJECT_ID } from './postgres/schema.js'
export { findStoredSpanKeys, spanKeyString, type SpanKey } from './clickhouse/dedup.js'
export { createProject, listProjects, getProject } from './postgres/projects.js'
export { insertApiKey, listApiKeys, findLiveApiKey, revokeApiKey, touchApiKey } from './postgres/api-keys.js'
export { KEY_SCOPES, type KeyScope, type ApiKey, type Project } from './postgres/schema.js'
export { spendByScope, type SpendScope, type Spend } from './clickhouse/spend.js'
export {
  createBudget,
  listBudgetViews,
  getBudgetView,
  patchBudget,
  removeBudget,
  normalizeThresholds,
  type BudgetInput,
  type BudgetView,
  type ThresholdInput,
} from './control/budgets.js'
export { buildPolicy, currentWindow, PolicyCache, POLICY_POLL_INTERVAL_S } from './control/policy.js'
export { reportTransition, circuitStatus, type CircuitStatusView } from './control/circuit.js'
export type { TransitionInput } from './postgres/circuit.js'
export type { Budget, StoredThreshold } from './postgres/schema.js'
export { withLock, LOCK_KEYS } from './postgres/lock.js'
export { acquireLease, releaseLease, newLeaseHolder, LEASE_NAMES } from './postgres/lease.js'
export {
  createAlertRule,
  listAlertRuleViews,
  patchAlertRule,
  removeAlertRule,
  createAlertEvaluator,
  toAlertEventView,
  type AlertEvaluator,
  type EvaluatorLease,
  type AlertRuleInput,
  type AlertRuleView,
  type AlertEventView,
} from './control/alerts.js'
export { notify, type NotifyConfig, type AlertPayload } from './control/notify.js'
export { listAlertEvents } from './postgres/alerts.js'
export { DEFAULT_ALERT_WINDOW_S } from './clickhouse/alert-value.js'
export { ALERT_CONDITIONS, ALERT_ACTIONS, type AlertCondition, type AlertAction } from './postgres/schema.js'
export {
  appendAudit,
  auditForTrace,
  auditEntryHash,
  breakerInterventions,
  canonicalDetails,
  GENESIS_HASH,
  lastAuditEntry,
  listAudit,
  verifyAuditChain,
  type AuditInput,
  type AuditQuery,
  type ChainCheck,
} from './postgres/audit.js'
export {
  getReportSignature,
  insertReportSignature,
  listReportKeys,
  registerReportKey,
  type ReportSignatureInsert,
} from './postgres/reports.js'
export type { AuditRow, ReportKeyRow, ReportSignatureRow } from './postgres/schema.js'
export {
  claimPendingEmbeddings,
  deferEmbeddings,
  deleteExpiredEmbeddings,
  enqueueEmbeddings,
  insertEmbeddings,
  existingEmbeddingKeys,
  embeddingKeyOf,
  findSimilarSpans,
  listProjectPiiPolicies,
  saveEmbeddings,
  setProjectPiiPolicy,
  type PendingEmbedding,
} from './postgres/embeddings.js'
export { EMBEDDING_DIMS } from './postgres/schema.js'
