import { pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * Leases: a job that one process at a time runs across every replica (the alert evaluator) is run by
 * the holder of its row until `expires_at`. Taken and renewed by one conditional upsert (lease.ts), so
 * no lock or transaction is held while the job runs; a holder that dies loses it once it expires.
 */
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  /** The process that holds it (host:pid:random, new at every start). */
  holder: text('holder').notNull(),
  /** Postgres's clock, never a replica's: replicas need not agree on the time. */
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  /** When this holder took it (kept while it renews): who has been evaluating since when. */
  acquiredAt: timestamp('acquired_at', { withTimezone: true }).notNull().defaultNow(),
})
export type Lease = typeof leases.$inferSelect
