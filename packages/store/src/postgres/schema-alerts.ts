import {
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core'

export const ALERT_CONDITIONS = [
  'cost_per_hour',
  'cost_per_day',
  'error_rate',
  'latency_p95_ms',
  'calls_per_minute',
  'tokens_per_hour',
  'pii_detected_count',
  'injection_attempt_count',
] as const
export type AlertCondition = (typeof ALERT_CONDITIONS)[number]
export const ALERT_ACTIONS = ['webhook', 'slack', 'email', 'log'] as const
export type AlertAction = (typeof ALERT_ACTIONS)[number]

/**
 * Alert rules. `state` and `last_fired_at` are the evaluator's: a firing is claimed by a conditional
 * UPDATE on them, so two evaluators never fire one rule twice within its cooldown.
 */
export const alertRules = pgTable(
  'alert_rules',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    name: text('name').notNull(),
    condition: text('condition').$type<AlertCondition>().notNull(),
    threshold: doublePrecision('threshold').notNull(),
    windowS: integer('window_s'),
    agentId: text('agent_id'),
    model: text('model'),
    /** `key=value`: spans tagged so. */
    tag: text('tag'),
    actionType: text('action_type').$type<AlertAction>().notNull().default('log'),
    target: text('target'),
    cooldownS: integer('cooldown_s').notNull().default(300),
    enabled: boolean('enabled').notNull().default(true),
    state: text('state').$type<'ok' | 'firing'>().notNull().default('ok'),
    lastFiredAt: timestamp('last_fired_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('alert_rules_project_idx').on(t.projectId)],
)
export type AlertRule = typeof alertRules.$inferSelect

/** Firings, recoveries and SDK-side alerts, with the outcome of their notification. Append-mostly: only the notification fields change. */
export const alertEvents = pgTable(
  'alert_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    projectId: text('project_id').notNull(),
    ruleId: text('rule_id'),
    kind: text('kind').$type<'fired' | 'resolved' | 'sdk'>().notNull(),
    value: doublePrecision('value'),
    threshold: doublePrecision('threshold'),
    windowS: integer('window_s'),
    message: text('message').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>(),
    notification: text('notification').$type<'pending' | 'sent' | 'failed' | 'skipped'>().notNull().default('pending'),
    notificationAttempts: integer('notification_attempts').notNull().default(0),
    notificationError: text('notification_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('alert_events_project_idx').on(t.projectId, t.createdAt)],
)
export type AlertEvent = typeof alertEvents.$inferSelect
