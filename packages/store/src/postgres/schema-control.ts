import { sql } from 'drizzle-orm'
import {
  bigserial,
  boolean,
  doublePrecision,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core'

// Budgets and what SDKs report about their circuit breakers (docs/architecture.md, budgets). No foreign key to
// `projects`: a JWT may name a project that has no row, and the breaker audit must outlive edits.

/** A threshold as `GET /api/policy` sends it (the @tollgate/policy wire shape). */
export interface StoredThreshold {
  percent: number
  action: 'allow' | 'alert' | 'degrade' | 'throttle' | 'block'
  degrade_to_model?: string | undefined
  throttle_ms?: number | undefined
}

export const budgets = pgTable(
  'budgets',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    name: text('name').notNull(),
    scope: text('scope').$type<'global' | 'agent' | 'tenant' | 'customer' | 'feature' | 'tag'>().notNull(),
    scopeValue: text('scope_value'),
    tagKey: text('tag_key'),
    limitUsd: doublePrecision('limit_usd'),
    limitTokens: doublePrecision('limit_tokens'),
    window: text('window').$type<'hour' | 'day' | 'month' | 'rolling' | 'rolling_1h' | 'rolling_24h'>().notNull(),
    /** Sorted by percent; the last is at 100 % with `limit_action`. */
    thresholds: jsonb('thresholds').$type<StoredThreshold[]>().notNull(),
    limitAction: text('limit_action').$type<'block' | 'alert'>().notNull().default('block'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('budgets_project_idx').on(t.projectId)],
)
export type Budget = typeof budgets.$inferSelect

/** The latest state each SDK process reported per breaker (scope, scope id). */
export const circuitState = pgTable(
  'circuit_state',
  {
    projectId: text('project_id').notNull(),
    scope: text('scope').notNull(),
    scopeId: text('scope_id').notNull(),
    processId: text('process_id').notNull(),
    name: text('name'),
    state: text('state').notNull(),
    event: text('event').notNull(),
    reason: text('reason'),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.scope, t.scopeId, t.processId] })],
)
export type CircuitState = typeof circuitState.$inferSelect

/**
 * Every transition an SDK reported, append-only (the reports issue hash-chains it): rows are only
 * inserted; no code path updates or deletes them.
 */
export const circuitEvents = pgTable(
  'circuit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    projectId: text('project_id').notNull(),
    scope: text('scope').notNull(),
    scopeId: text('scope_id').notNull(),
    processId: text('process_id').notNull(),
    name: text('name'),
    event: text('event').notNull(),
    fromState: text('from_state').notNull(),
    toState: text('to_state').notNull(),
    reason: text('reason'),
    snapshot: jsonb('snapshot')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    sdk: jsonb('sdk').$type<Record<string, unknown>>(),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('circuit_events_project_idx').on(t.projectId, t.id)],
)
export type CircuitEvent = typeof circuitEvents.$inferSelect
