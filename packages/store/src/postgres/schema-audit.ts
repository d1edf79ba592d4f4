import { bigint, bigserial, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

// The audit log and report signatures (docs/compliance.md). No foreign key to `projects`, as for the
// breaker audit: a JWT may name a project without a row, and the log must outlive every edit.

/**
 * Append-only, one hash chain per project: `hash` = SHA-256 of `prev_hash` and the entry's canonical
 * text (packages/store/src/postgres/audit.ts), `seq` counts 1, 2, 3… per project with no gaps. Rows are
 * only inserted: a trigger (migration 0006) refuses UPDATE and DELETE, and `GET /api/audit/verify`
 * finds any row changed behind its back.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    projectId: text('project_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    /** Who: a key id, a JWT subject, `api-key`, `local`, `sdk:<process>` or `system`. Never a secret. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    traceId: text('trace_id'),
    /** Canonical JSON (sorted keys), stored as text so the hashed bytes are the stored bytes. */
    details: text('details').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('audit_log_project_seq_idx').on(t.projectId, t.seq),
    index('audit_log_project_at_idx').on(t.projectId, t.at),
    index('audit_log_project_trace_idx').on(t.projectId, t.traceId),
  ],
)
export type AuditRow = typeof auditLog.$inferSelect

/** Every signed report: what was signed, with which key, over which bytes. */
export const reportSignatures = pgTable(
  'report_signatures',
  {
    reportId: text('report_id').primaryKey(),
    projectId: text('project_id').notNull(),
    /** `trace` or `monthly`. */
    kind: text('kind').notNull(),
    /** The trace id or the month (YYYY-MM). */
    subject: text('subject').notNull(),
    keyId: text('key_id').notNull(),
    pdfSha256: text('pdf_sha256').notNull(),
    dataSha256: text('data_sha256').notNull(),
    /** The detached compact JWS returned in X-Signature. */
    signature: text('signature').notNull(),
    signedAt: timestamp('signed_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('report_signatures_project_idx').on(t.projectId, t.signedAt)],
)
export type ReportSignatureRow = typeof reportSignatures.$inferSelect

/** Public keys that have signed reports: rotation adds a row and never removes one, so old reports still verify. */
export const reportKeys = pgTable('report_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull(),
  /** The public JWK (with kid, alg, use), as JSON text. */
  publicJwk: text('public_jwk').notNull(),
  firstUsedAt: timestamp('first_used_at', { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }).notNull().defaultNow(),
})
export type ReportKeyRow = typeof reportKeys.$inferSelect
