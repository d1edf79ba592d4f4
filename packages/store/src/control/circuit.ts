import type { Db } from '../postgres/client.js'
import { listCircuitState, recordTransition, type TransitionInput } from '../postgres/circuit.js'

export interface CircuitStatusView {
  scope: string
  scope_id: string
  process_id: string
  name: string | null
  state: string
  event: string
  reason: string | null
  reported_at: string
  received_at: string
}

/** Stores what an SDK reported: appended to the audit table, and the process's latest state. */
export async function reportTransition({ db, input }: { db: Db; input: TransitionInput }): Promise<{ id: number }> {
  const event = await recordTransition(db, input)
  return { id: event.id }
}

/** The latest state per breaker and process, with `open`: how many breakers some process holds not CLOSED. */
export async function circuitStatus({
  db,
  projectId,
}: {
  db: Db
  projectId: string
}): Promise<{ breakers: CircuitStatusView[]; open: number }> {
  const rows = await listCircuitState(db, { projectId })
  const breakers = rows.map((r) => ({
    scope: r.scope,
    scope_id: r.scopeId,
    process_id: r.processId,
    name: r.name,
    state: r.state,
    event: r.event,
    reason: r.reason,
    reported_at: r.reportedAt.toISOString(),
    received_at: r.receivedAt.toISOString(),
  }))
  const open = new Set(breakers.filter((b) => b.state !== 'CLOSED').map((b) => `${b.scope}\0${b.scope_id}`)).size
  return { breakers, open }
}
