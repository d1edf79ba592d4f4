import { and, asc, eq, isNull } from 'drizzle-orm'
import type { Db } from './client.js'
import { apiKeys, type ApiKey, type KeyScope } from './schema.js'

/** Project API keys, by hash only: the key itself never reaches this layer. Every query is scoped to a project except the lookup by hash. */
export async function insertApiKey(
  db: Db,
  params: { id: string; projectId: string; prefix: string; hash: string; scopes: KeyScope[] },
): Promise<ApiKey> {
  const [row] = await db.insert(apiKeys).values(params).returning()
  if (!row) throw new Error('insert into api_keys returned no row')
  return row
}

export async function listApiKeys(db: Db, params: { projectId: string }): Promise<ApiKey[]> {
  return db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.projectId, params.projectId))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
}

/** The live (not revoked) key with this SHA-256 hex digest. */
export async function findLiveApiKey(db: Db, params: { hash: string }): Promise<ApiKey | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, params.hash), isNull(apiKeys.revokedAt)))
    .limit(1)
  return row
}

/** Revokes a key of this project; false if the project has no such live key. */
export async function revokeApiKey(db: Db, params: { projectId: string; keyId: string }): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, params.keyId), eq(apiKeys.projectId, params.projectId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id })
  return rows.length > 0
}

export async function touchApiKey(db: Db, params: { id: string; at: Date }): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: params.at }).where(eq(apiKeys.id, params.id))
}
