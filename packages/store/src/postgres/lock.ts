import { sql } from 'drizzle-orm'
import type { Db } from './client.js'

/** Advisory lock keys: one per job that must run on one process at a time across every replica. */
export const LOCK_KEYS = { rollupRefresh: 7_401_001 } as const

/**
 * Runs `fn` only if no other process holds the lock `key`: a transaction-scoped Postgres advisory lock,
 * released when `fn` ends or the holder's connection dies. Undefined when another process holds it.
 * `fn` must not use Postgres itself: the transaction holds a pooled connection for its whole run.
 */
export async function withLock<T>(db: Db, key: number, fn: () => Promise<T>): Promise<T | undefined> {
  return db.transaction(async (tx) => {
    const result = await tx.execute<{ ok: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${key}) AS ok`)
    if (result.rows[0]?.ok !== true) return undefined
    return fn()
  })
}
