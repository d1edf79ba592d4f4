import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import type { Leased, SpanStore } from './store.js'

type Database = BetterSqlite3.Database

// Leases outlive the longest send by far; a dead owner's leases are reclaimed at once.
const LEASE_MS = 120_000
const SCHEMA_VERSION = 1

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spans (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_pid INTEGER,
  lease_until INTEGER
);
CREATE INDEX IF NOT EXISTS spans_ready ON spans (key_id, next_attempt_at, id) WHERE lease_owner IS NULL;
CREATE TABLE IF NOT EXISTS dropped (
  key_id TEXT NOT NULL, reason TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (key_id, reason)
);
-- Total bytes of span JSON, kept in the same transactions as the rows it counts.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('bytes', (SELECT COALESCE(SUM(bytes), 0) FROM spans));
`

export interface SqliteStoreOptions {
  path: string
  /** Rows are scoped to the API key they were recorded under: only that key may send them. */
  keyId: string
  /** Unique per store instance, so two SDK instances in one process never share leases. */
  owner: string
  maxBytes: number
  maxAgeMs: number
}

function loadDriver(): typeof BetterSqlite3 {
  // createRequire: better-sqlite3 is CommonJS with a native addon; loading lazily lets the
  // SDK fall back to memory when the addon is missing instead of failing at import.
  const require = createRequire(import.meta.url)
  return require('better-sqlite3') as typeof BetterSqlite3
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * durable_local: spans are rows of a SQLite file in WAL mode (synchronous=NORMAL: a commit
 * survives a killed process; only an OS crash can lose the last commits).
 */
export class SqliteStore implements SpanStore {
  readonly durable = true
  private readonly db: Database
  private readonly stmts: ReturnType<SqliteStore['prepare']>

  constructor(private readonly opts: SqliteStoreOptions) {
    mkdirSync(dirname(opts.path), { recursive: true })
    const Driver = loadDriver()
    this.db = new Driver(opts.path, { timeout: 1000 })
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(SCHEMA)
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`)
    this.stmts = this.prepare()
    this.maintain(Date.now())
  }

  private prepare() {
    const db = this.db
    return {
      insert: db.prepare('INSERT INTO spans (key_id, created_at, bytes, body) VALUES (?, ?, ?, ?)'),
      totalBytes: db.prepare("SELECT value FROM meta WHERE key = 'bytes'").pluck(),
      addBytes: db.prepare("UPDATE meta SET value = value + ? WHERE key = 'bytes'"),
      oldest: db.prepare('SELECT id, bytes, key_id FROM spans WHERE lease_owner IS NULL ORDER BY id LIMIT 256'),
      deleteId: db.prepare('DELETE FROM spans WHERE id = ?'),
      // Set-based statements over a JSON array of ids: one statement per batch, not per row.
      ackMany: db
        .prepare(
          `DELETE FROM spans WHERE lease_owner = @owner AND id IN (SELECT value FROM json_each(@ids))
        RETURNING bytes`,
        )
        .pluck(),
      releaseMany: db.prepare(`UPDATE spans SET lease_owner = NULL, lease_pid = NULL, lease_until = NULL,
        attempts = attempts + 1, next_attempt_at = @at WHERE lease_owner = @owner AND id IN (SELECT value FROM json_each(@ids))`),
      lease: db.prepare(`UPDATE spans SET lease_owner = @owner, lease_pid = @pid, lease_until = @until
        WHERE id IN (SELECT id FROM spans WHERE key_id = @key AND lease_owner IS NULL AND next_attempt_at <= @now
                     ORDER BY id LIMIT @limit)
        RETURNING id, body, bytes, attempts`),
      bump: db.prepare(`INSERT INTO dropped (key_id, reason, count) VALUES (?, ?, ?)
        ON CONFLICT (key_id, reason) DO UPDATE SET count = count + excluded.count`),
      counters: db.prepare('SELECT reason, count FROM dropped WHERE key_id = ? AND count > 0'),
      unbump: db.prepare('UPDATE dropped SET count = MAX(0, count - ?) WHERE key_id = ? AND reason = ?'),
      size: db.prepare("SELECT COUNT(*) AS count, (SELECT value FROM meta WHERE key = 'bytes') AS bytes FROM spans"),
      nextReady: db.prepare('SELECT MIN(next_attempt_at) FROM spans WHERE key_id = ? AND lease_owner IS NULL').pluck(),
      releaseMine: db.prepare(
        'UPDATE spans SET lease_owner = NULL, lease_pid = NULL, lease_until = NULL WHERE lease_owner = ?',
      ),
      owners: db.prepare(`SELECT lease_owner AS owner, MAX(lease_pid) AS pid, MIN(lease_until) AS until
        FROM spans WHERE lease_owner IS NOT NULL AND lease_owner != ? GROUP BY lease_owner`),
      expiredByKey: db.prepare(`SELECT key_id, COUNT(*) AS n FROM spans
        WHERE created_at < ? AND lease_owner IS NULL GROUP BY key_id`),
      deleteExpired: db
        .prepare('DELETE FROM spans WHERE created_at < ? AND lease_owner IS NULL RETURNING bytes')
        .pluck(),
    }
  }

  add(bodies: readonly string[], now: number): void {
    const s = this.stmts
    const { keyId, maxBytes } = this.opts
    this.db.transaction(() => {
      const sizes = bodies.map((b) => Buffer.byteLength(b))
      const incoming = sizes.reduce((a, b) => a + b, 0)
      let total = Number(s.totalBytes.get() ?? 0)
      // drop_oldest: the newest spans are the most useful ones when the backend comes back.
      while (total + incoming > maxBytes) {
        const rows = s.oldest.all() as { id: number; bytes: number; key_id: string }[]
        if (rows.length === 0) break
        for (const row of rows) {
          if (total + incoming <= maxBytes) break
          s.deleteId.run(row.id)
          s.bump.run(row.key_id, 'spool_full', 1)
          s.addBytes.run(-row.bytes)
          total -= row.bytes
        }
      }
      let added = 0
      bodies.forEach((body, i) => {
        const bytes = sizes[i] ?? Buffer.byteLength(body)
        if (total + bytes > maxBytes) {
          s.bump.run(keyId, 'spool_full', 1)
          return
        }
        s.insert.run(keyId, now, bytes, body)
        total += bytes
        added += bytes
      })
      if (added) s.addBytes.run(added)
    })()
  }

  lease(limit: number, now: number): Leased[] {
    const rows = this.stmts.lease.all({
      owner: this.opts.owner,
      pid: process.pid,
      until: Date.now() + LEASE_MS,
      key: this.opts.keyId,
      now,
      limit,
    }) as Leased[]
    return rows.sort((a, b) => a.id - b.id)
  }

  /** Deletes this owner's leased rows; returns how many went. */
  private remove(ids: readonly number[]): number {
    const freed = this.stmts.ackMany.all({ owner: this.opts.owner, ids: JSON.stringify(ids) }) as number[]
    if (freed.length) this.stmts.addBytes.run(-freed.reduce((a, b) => a + b, 0))
    return freed.length
  }

  ack(ids: readonly number[]): void {
    if (ids.length) this.db.transaction(() => this.remove(ids))()
  }

  release(ids: readonly number[], retryAt: number): void {
    if (ids.length) this.stmts.releaseMany.run({ at: retryAt, owner: this.opts.owner, ids: JSON.stringify(ids) })
  }

  drop(ids: readonly number[], reason: string): void {
    if (!ids.length) return
    this.db.transaction(() => {
      const n = this.remove(ids)
      if (n > 0) this.stmts.bump.run(this.opts.keyId, reason, n)
    })()
  }

  count(reason: string, n: number): void {
    if (n > 0) this.stmts.bump.run(this.opts.keyId, reason, n)
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = {}
    try {
      for (const row of this.stmts.counters.all(this.opts.keyId) as { reason: string; count: number }[]) {
        out[row.reason] = row.count
      }
    } catch {
      // Reporting counters is best effort; a busy database must not fail a send.
    }
    return out
  }

  ackCounters(reported: Readonly<Record<string, number>>): void {
    const { unbump } = this.stmts
    this.db.transaction(() => {
      for (const [reason, n] of Object.entries(reported)) unbump.run(n, this.opts.keyId, reason)
    })()
  }

  size(): { count: number; bytes: number } {
    const row = this.stmts.size.get() as { count: number; bytes: number | null }
    return { count: row.count, bytes: row.bytes ?? 0 }
  }

  nextReadyAt(): number | undefined {
    const v = this.stmts.nextReady.get(this.opts.keyId) as number | null | undefined
    return v === null || v === undefined ? undefined : v
  }

  releaseLeases(): void {
    this.stmts.releaseMine.run(this.opts.owner)
  }

  /** Age cap, and crash recovery: leases of a dead process (or an expired lease) go back to the pool. */
  maintain(now: number): void {
    const s = this.stmts
    this.db.transaction(() => {
      const cutoff = now - this.opts.maxAgeMs
      for (const row of s.expiredByKey.all(cutoff) as { key_id: string; n: number }[]) {
        s.bump.run(row.key_id, 'expired', row.n)
      }
      const freed = s.deleteExpired.all(cutoff) as number[]
      if (freed.length) s.addBytes.run(-freed.reduce((a, b) => a + b, 0))
      for (const row of s.owners.all(this.opts.owner) as {
        owner: string
        pid: number | null
        until: number | null
      }[]) {
        const expired = row.until === null || row.until < now
        const dead = row.pid === null || (row.pid !== process.pid && !isAlive(row.pid))
        if (expired || dead) s.releaseMine.run(row.owner)
      }
    })()
  }

  close(): void {
    try {
      this.releaseLeases()
    } finally {
      this.db.close()
    }
  }
}
