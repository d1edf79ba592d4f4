import { and, asc, desc, eq, gte, isNull, lt, lte, or } from 'drizzle-orm'
import type { Db } from './client.js'
import { alertEvents, alertRules, type AlertEvent, type AlertRule } from './schema.js'

export type AlertRuleInsert = Omit<typeof alertRules.$inferInsert, 'createdAt' | 'updatedAt' | 'state' | 'lastFiredAt'>
export type AlertRulePatch = Partial<Omit<AlertRuleInsert, 'id' | 'projectId'>>

/** Alert rows; every query but the evaluator's list of enabled rules is scoped to the project it is given. */
export async function insertAlertRule(db: Db, params: AlertRuleInsert): Promise<AlertRule> {
  const [row] = await db.insert(alertRules).values(params).returning()
  if (!row) throw new Error('insert into alert_rules returned no row')
  return row
}

export async function listAlertRules(db: Db, params: { projectId: string }): Promise<AlertRule[]> {
  return db
    .select()
    .from(alertRules)
    .where(eq(alertRules.projectId, params.projectId))
    .orderBy(asc(alertRules.createdAt), asc(alertRules.id))
}

export async function getAlertRule(db: Db, params: { projectId: string; id: string }): Promise<AlertRule | undefined> {
  const [row] = await db
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.projectId, params.projectId), eq(alertRules.id, params.id)))
    .limit(1)
  return row
}

/** Every enabled rule of every project: the evaluator's work list. */
export async function listEnabledAlertRules(db: Db): Promise<AlertRule[]> {
  return db
    .select()
    .from(alertRules)
    .where(eq(alertRules.enabled, true))
    .orderBy(asc(alertRules.projectId), asc(alertRules.id))
}

export async function updateAlertRule(
  db: Db,
  params: { projectId: string; id: string; patch: AlertRulePatch },
): Promise<AlertRule | undefined> {
  const [row] = await db
    .update(alertRules)
    .set({ ...params.patch, updatedAt: new Date() })
    .where(and(eq(alertRules.projectId, params.projectId), eq(alertRules.id, params.id)))
    .returning()
  return row
}

export async function deleteAlertRule(db: Db, params: { projectId: string; id: string }): Promise<boolean> {
  const rows = await db
    .delete(alertRules)
    .where(and(eq(alertRules.projectId, params.projectId), eq(alertRules.id, params.id)))
    .returning({ id: alertRules.id })
  return rows.length > 0
}

/**
 * Claims a firing at `now`: true for exactly one caller while the rule is outside its cooldown, however
 * many evaluators run at once (the condition and the write are one statement).
 */
export async function claimFiring(db: Db, params: { id: string; now: Date; cooldownS: number }): Promise<boolean> {
  const since = new Date(params.now.getTime() - params.cooldownS * 1000)
  const rows = await db
    .update(alertRules)
    .set({ state: 'firing', lastFiredAt: params.now })
    .where(and(eq(alertRules.id, params.id), or(isNull(alertRules.lastFiredAt), lte(alertRules.lastFiredAt, since))))
    .returning({ id: alertRules.id })
  return rows.length > 0
}

/** Marks a firing rule recovered: true for exactly one caller. */
export async function claimResolved(db: Db, params: { id: string }): Promise<boolean> {
  const rows = await db
    .update(alertRules)
    .set({ state: 'ok' })
    .where(and(eq(alertRules.id, params.id), eq(alertRules.state, 'firing')))
    .returning({ id: alertRules.id })
  return rows.length > 0
}

export async function insertAlertEvent(db: Db, params: typeof alertEvents.$inferInsert): Promise<AlertEvent> {
  const [row] = await db.insert(alertEvents).values(params).returning()
  if (!row) throw new Error('insert into alert_events returned no row')
  return row
}

export async function recordNotification(
  db: Db,
  params: { id: number; outcome: 'sent' | 'failed' | 'skipped'; attempts: number; error?: string | undefined },
): Promise<void> {
  await db
    .update(alertEvents)
    .set({
      notification: params.outcome,
      notificationAttempts: params.attempts,
      notificationError: params.error ?? null,
    })
    .where(eq(alertEvents.id, params.id))
}

export async function listAlertEvents(
  db: Db,
  params: {
    projectId: string
    from?: Date | undefined
    to?: Date | undefined
    ruleId?: string | undefined
    limit: number
  },
): Promise<AlertEvent[]> {
  const conditions = [eq(alertEvents.projectId, params.projectId)]
  if (params.from) conditions.push(gte(alertEvents.createdAt, params.from))
  if (params.to) conditions.push(lt(alertEvents.createdAt, params.to))
  if (params.ruleId) conditions.push(eq(alertEvents.ruleId, params.ruleId))
  return db
    .select()
    .from(alertEvents)
    .where(and(...conditions))
    .orderBy(desc(alertEvents.createdAt), desc(alertEvents.id))
    .limit(params.limit)
}
