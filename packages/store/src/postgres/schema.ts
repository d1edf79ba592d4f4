import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

export const DEFAULT_PROJECT_ID = 'default'

export const projects = pgTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** PII policy of this project (`redact` | `drop` | `keep`); null = the server's `PII_POLICY`. */
  piiPolicy: text('pii_policy').$type<'redact' | 'drop' | 'keep'>(),
})
export type Project = typeof projects.$inferSelect

/** What a project key may do. Mutations are never a key scope: they need the instance key or an admin JWT. */
export const KEY_SCOPES = ['ingest', 'read'] as const
export type KeyScope = (typeof KEY_SCOPES)[number]

/**
 * Project API keys. Only the SHA-256 of the key is stored (the key is a ≥128-bit random secret, so a
 * plain digest cannot be reversed); `prefix` is its first characters, shown in lists to tell keys apart.
 * Revocation sets `revoked_at` instead of deleting, so lists keep the history.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    scopes: text('scopes').array().$type<KeyScope[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.hash), index('api_keys_project_idx').on(t.projectId)],
)
export type ApiKey = typeof apiKeys.$inferSelect

// Budgets and circuit-breaker reports (issue 10) live in their own file.
export * from './schema-control.js'

// Alert rules and their events (issue 10).
export * from './schema-alerts.js'

// Prompt embeddings and the embedding queue (issue 12).
export * from './schema-embeddings.js'

// The audit log, report signatures and signing keys (issue 14).
export * from './schema-audit.js'

// Leases of jobs run by one replica at a time (issue 10: the alert evaluator).
export * from './schema-leases.js'
