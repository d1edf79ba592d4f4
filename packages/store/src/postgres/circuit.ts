import { asc, eq, lte } from 'drizzle-orm'
import type { Db } from './client.js'
import { circuitEvents, circuitState, type CircuitEvent, type CircuitState } from './schema.js'

export interface TransitionInput {
  projectId: string
  scope: string
  scopeId: string
  processId: string
  name?: string | undefined
  event: string
  from: string
  to: string
  reason?: string | undefined
  snapshot: Record<string, unknown>
  sdk?: Record<string, unknown> | undefined
  reportedAt: Date
}

/**
 * Appends the transition to the audit table and makes it the process's latest state for that breaker,
 * in one transaction. An older report arriving late is audited but does not replace a newer state.
 */
export async function recordTransition(db: Db, t: TransitionInput): Promise<CircuitEvent> {
  return db.transaction(async (tx) => {
    const [event] = await tx
      .insert(circuitEvents)
      .values({
        projectId: t.projectId,
        scope: t.scope,
        scopeId: t.scopeId,
        processId: t.processId,
        name: t.name,
        event: t.event,
        fromState: t.from,
        toState: t.to,
        reason: t.reason,
        snapshot: t.snapshot,
        sdk: t.sdk,
        reportedAt: t.reportedAt,
      })
      .returning()
    if (!event) throw new Error('insert into circuit_events returned no row')
    const state = {
      name: t.name,
      state: t.to,
      event: t.event,
      reason: t.reason ?? null,
      reportedAt: t.reportedAt,
      receivedAt: new Date(),
    }
    await tx
      .insert(circuitState)
      .values({ projectId: t.projectId, scope: t.scope, scopeId: t.scopeId, processId: t.processId, ...state })
      .onConflictDoUpdate({
        target: [circuitState.projectId, circuitState.scope, circuitState.scopeId, circuitState.processId],
        set: state,
        setWhere: lte(circuitState.reportedAt, t.reportedAt),
      })
    return event
  })
}

export async function listCircuitState(db: Db, params: { projectId: string }): Promise<CircuitState[]> {
  return db
    .select()
    .from(circuitState)
    .where(eq(circuitState.projectId, params.projectId))
    .orderBy(asc(circuitState.scope), asc(circuitState.scopeId), asc(circuitState.processId))
}
