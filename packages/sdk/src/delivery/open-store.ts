import { createHash, randomUUID } from 'node:crypto'
import type { ResolvedConfig } from '../config.js'
import type { Logger } from '../log.js'
import { SqliteStore } from './sqlite-store.js'
import type { SpanStore } from './store.js'
import { MemoryStore } from './store.js'

/** The configured store: the SQLite spool for durable_local, falling back to memory (fail-open). */
export function openStore(c: ResolvedConfig, log: Logger): SpanStore {
  if (c.durability === 'durable_local') {
    try {
      // Rows carry a fingerprint of the key they were recorded under, never the key itself.
      const keyId = createHash('sha256')
        .update(c.apiKey ?? '')
        .digest('hex')
        .slice(0, 16)
      return new SqliteStore({
        path: c.spoolPath,
        keyId,
        owner: randomUUID(),
        maxBytes: c.maxSpoolBytes,
        maxAgeMs: c.maxSpoolAgeMs,
      })
    } catch (err) {
      // No spool (read-only disk, missing native addon) means best_effort, not a crash.
      log.debug('spool unavailable, using memory', { error: String(err) })
    }
  }
  return new MemoryStore(c.maxQueueSize, c.maxSpoolBytes, c.maxSpoolAgeMs)
}
