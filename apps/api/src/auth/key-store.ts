import { LRUCache } from 'lru-cache'
import { findLiveApiKey, getProject, touchApiKey, type Db, type KeyScope } from '@tollgate/store'
import { hashKey } from './keys.js'

export interface ResolvedKey {
  id: string
  projectId: string
  scopes: readonly KeyScope[]
}

/** Don't write last_used_at more often than this per key and process. */
const TOUCH_EVERY_MS = 60_000

/**
 * Key and project lookups, cached for `ttlMs` (misses too, so a flood of wrong keys costs one query
 * per key and TTL). The cache is why a key revoked elsewhere keeps working here for at most `ttlMs`;
 * a revocation through this process evicts at once (`forget`).
 */
export class KeyStore {
  private readonly keys: LRUCache<string, { key: ResolvedKey | null }>
  private readonly projects: LRUCache<string, { exists: boolean }>
  private readonly touched = new LRUCache<string, number>({ max: 10_000 })

  constructor(
    private readonly db: Db,
    ttlMs: number,
    private readonly onTouchError: (error: unknown) => void = () => undefined,
  ) {
    const ttl = Math.max(1, ttlMs)
    this.keys = new LRUCache({ max: 10_000, ttl })
    this.projects = new LRUCache({ max: 10_000, ttl })
  }

  async resolve(key: string): Promise<ResolvedKey | null> {
    const hash = hashKey(key)
    let entry = this.keys.get(hash)
    if (!entry) {
      const row = await findLiveApiKey(this.db, { hash })
      entry = { key: row ? { id: row.id, projectId: row.projectId, scopes: row.scopes } : null }
      this.keys.set(hash, entry)
    }
    if (entry.key) this.touch(entry.key.id)
    return entry.key
  }

  async projectExists(id: string): Promise<boolean> {
    let entry = this.projects.get(id)
    if (!entry) {
      entry = { exists: (await getProject(this.db, { id })) !== undefined }
      this.projects.set(id, entry)
    }
    return entry.exists
  }

  /** Drops every cached lookup of this key id (after a revocation through this process). */
  forget(keyId: string): void {
    for (const [hash, entry] of this.keys.entries()) if (entry.key?.id === keyId) this.keys.delete(hash)
  }

  /** A created project is visible at once, even after a cached miss. */
  forgetProject(id: string): void {
    this.projects.delete(id)
  }

  private touch(id: string): void {
    const now = Date.now()
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return
    this.touched.set(id, now)
    // Off the request path: a failed write only makes last_used_at older.
    touchApiKey(this.db, { id, at: new Date(now) }).catch(this.onTouchError)
  }
}
