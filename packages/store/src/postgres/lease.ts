import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from './client.js'
import { leases } from './schema.js'

/** Lease names: one per job that one process at a time runs across every replica. */
export const LEASE_NAMES = { alertEvaluator: 'alert-evaluator' } as const

/**
 * A holder id for this process: host and pid for whoever reads the table, and a random part so that a
 * restarted process (the same pid in a new container) is a new holder and never renews a dead one's lease.
 */
export function newLeaseHolder(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
}

/**
 * Takes the lease `name` for `ttlMs` when it is free or expired, or renews it when `holder` has it, in
 * one statement (an upsert whose update is conditional): true when `holder` holds it until now + ttl.
 * Two processes racing for it cannot both win: Postgres serialises the upserts on the row and the
 * second sees the first's holder. Expiry is Postgres's clock, so the replicas' clocks need not agree.
 * Nothing stays locked after it returns (no transaction, no session state): unlike an advisory lock it
 * holds no connection, which the embedded mode's one pooled connection could not spare.
 */
export async function acquireLease(
  db: Db,
  { name, holder, ttlMs }: { name: string; holder: string; ttlMs: number },
): Promise<boolean> {
  const expiresAt = sql`now() + ${Math.max(1, Math.ceil(ttlMs))}::integer * interval '1 millisecond'`
  const rows = await db
    .insert(leases)
    .values({ name, holder, expiresAt, acquiredAt: sql`now()` })
    .onConflictDoUpdate({
      target: leases.name,
      set: {
        holder: sql`excluded.holder`,
        expiresAt: sql`excluded.expires_at`,
        // A renewal keeps the time its holder took the lease.
        acquiredAt: sql`CASE WHEN "leases"."holder" = excluded.holder THEN "leases"."acquired_at" ELSE now() END`,
      },
      setWhere: sql`"leases"."expires_at" < now() OR "leases"."holder" = excluded.holder`,
    })
    .returning({ holder: leases.holder })
  return rows[0]?.holder === holder
}

/** Gives the lease up if `holder` has it (shutdown), so another process takes it at once rather than after its TTL. */
export async function releaseLease(db: Db, { name, holder }: { name: string; holder: string }): Promise<boolean> {
  const rows = await db
    .delete(leases)
    .where(and(eq(leases.name, name), eq(leases.holder, holder)))
    .returning({ name: leases.name })
  return rows.length > 0
}
