import { asc, eq, sql } from 'drizzle-orm'
import type { Db } from './client.js'
import { reportKeys, reportSignatures, type ReportKeyRow, type ReportSignatureRow } from './schema.js'

export type ReportSignatureInsert = typeof reportSignatures.$inferInsert

export async function insertReportSignature(db: Db, row: ReportSignatureInsert): Promise<void> {
  await db.insert(reportSignatures).values(row)
}

/** A signature by report id, whatever the project: verification answers for any report this server signed. */
export async function getReportSignature(
  db: Db,
  params: { reportId: string },
): Promise<ReportSignatureRow | undefined> {
  const [row] = await db.select().from(reportSignatures).where(eq(reportSignatures.reportId, params.reportId)).limit(1)
  return row
}

/** Publishes a signing key's public half (idempotent: a known kid only has its last use moved). */
export async function registerReportKey(db: Db, key: { kid: string; alg: string; publicJwk: string }): Promise<void> {
  await db
    .insert(reportKeys)
    .values(key)
    .onConflictDoUpdate({ target: reportKeys.kid, set: { lastUsedAt: sql`now()` } })
}

/** Every key that ever signed, oldest first: retired keys stay so that old reports verify. */
export async function listReportKeys(db: Db): Promise<ReportKeyRow[]> {
  return db.select().from(reportKeys).orderBy(asc(reportKeys.firstUsedAt), asc(reportKeys.kid))
}
