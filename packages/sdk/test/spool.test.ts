import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../src/delivery/sqlite-store.js'
import type { SqliteStoreOptions } from '../src/delivery/sqlite-store.js'
import { MemoryStore } from '../src/delivery/store.js'
import { tempDir } from './helpers/tmp.js'

let tmp: ReturnType<typeof tempDir>
let path: string
const stores: SqliteStore[] = []

function open(opts: Partial<SqliteStoreOptions> = {}): SqliteStore {
  const s = new SqliteStore({
    path,
    keyId: 'k1',
    owner: `o-${stores.length}`,
    maxBytes: 1e9,
    maxAgeMs: 86_400_000,
    ...opts,
  })
  stores.push(s)
  return s
}

const body = (i: number, pad = 0) => JSON.stringify({ span_id: String(i).padStart(16, '0'), pad: 'x'.repeat(pad) })

beforeEach(() => {
  tmp = tempDir()
  path = join(tmp.dir, 'nested', 'spool.sqlite')
})
afterEach(() => {
  for (const s of stores.splice(0)) {
    try {
      s.close()
    } catch {
      // already closed
    }
  }
  tmp.cleanup()
})

describe('SqliteStore', () => {
  it('creates the file in WAL mode and keeps spans across reopen', () => {
    const a = open()
    a.add([body(1), body(2)], Date.now())
    a.close()
    const db = new Database(path, { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
    expect(open().size().count).toBe(2)
  })

  it('leases oldest first, only once, and deletes only on ack', () => {
    const s = open()
    s.add(
      [1, 2, 3].map((i) => body(i)),
      Date.now(),
    )
    const first = s.lease(2, Date.now())
    expect(first.map((r) => JSON.parse(r.body).span_id)).toEqual(['0000000000000001', '0000000000000002'])
    expect(s.lease(10, Date.now()).map((r) => JSON.parse(r.body).span_id)).toEqual(['0000000000000003'])
    expect(s.lease(10, Date.now())).toEqual([])
    s.ack(first.map((r) => r.id))
    expect(s.size().count).toBe(1)
  })

  it('release() applies the retry time and counts the attempt', () => {
    const s = open()
    s.add([body(1)], Date.now())
    const [row] = s.lease(10, Date.now())
    s.release([row?.id ?? 0], Date.now() + 60_000)
    expect(s.lease(10, Date.now())).toEqual([])
    const again = s.lease(10, Date.now() + 61_000)
    expect(again).toHaveLength(1)
    expect(again[0]?.attempts).toBe(1)
  })

  it('drop() deletes and counts by reason; counters are per key and acked by subtraction', () => {
    const s = open()
    s.add([body(1), body(2)], Date.now())
    s.drop(
      s.lease(10, Date.now()).map((r) => r.id),
      'http_400',
    )
    s.count('sampled_out', 3)
    expect(s.counters()).toEqual({ http_400: 2, sampled_out: 3 })
    expect(open({ keyId: 'k2' }).counters()).toEqual({})
    s.count('http_400', 1)
    s.ackCounters({ http_400: 2, sampled_out: 3 })
    expect(s.counters()).toEqual({ http_400: 1 })
  })

  it('never hands spans recorded under another key to this process', () => {
    open({ keyId: 'other' }).add([body(1)], Date.now())
    expect(open({ keyId: 'k1' }).lease(10, Date.now())).toEqual([])
  })

  it('drops the oldest spans beyond maxBytes, and counts them', () => {
    const s = open({ maxBytes: 1000 })
    s.add(
      [0, 1, 2, 3].map((i) => body(i, 200)),
      Date.now(),
    )
    s.add(
      [4, 5].map((i) => body(i, 200)),
      Date.now(),
    )
    const left = s.lease(100, Date.now()).map((r) => Number(JSON.parse(r.body).span_id))
    expect(left[left.length - 1]).toBe(5)
    expect(left[0]).toBeGreaterThan(0)
    expect(s.size().bytes).toBeLessThanOrEqual(1000)
    expect(s.counters().spool_full).toBe(6 - left.length)
  })

  it('drops spans older than maxAge, and counts them', () => {
    const s = open({ maxAgeMs: 1000 })
    s.add([body(1)], Date.now() - 5000)
    s.add([body(2)], Date.now())
    s.maintain(Date.now())
    expect(s.size().count).toBe(1)
    expect(s.counters()).toEqual({ expired: 1 })
  })

  it('recovers spans leased by a process that died, at once', () => {
    const s = open()
    s.add([body(1), body(2)], Date.now())
    const dead = spawnSync(process.execPath, ['-e', '0']).pid ?? 0
    const db = new Database(path)
    db.prepare('UPDATE spans SET lease_owner = ?, lease_pid = ?, lease_until = ?').run(
      'crashed',
      dead,
      Date.now() + 3_600_000,
    )
    db.close()
    expect(s.lease(10, Date.now())).toEqual([])
    s.maintain(Date.now())
    expect(s.lease(10, Date.now())).toHaveLength(2)
  })

  it('leaves a live owner its leases until they expire', () => {
    const s = open()
    s.add([body(1)], Date.now())
    const db = new Database(path)
    db.prepare('UPDATE spans SET lease_owner = ?, lease_pid = ?, lease_until = ?').run(
      'live',
      process.pid,
      Date.now() + 60_000,
    )
    s.maintain(Date.now())
    expect(s.lease(10, Date.now())).toEqual([])
    db.prepare('UPDATE spans SET lease_until = ?').run(Date.now() - 1)
    db.close()
    s.maintain(Date.now())
    expect(s.lease(10, Date.now())).toHaveLength(1)
  })

  it('close() returns its leases to the pool for the next process', () => {
    const s = open()
    s.add([body(1)], Date.now())
    expect(s.lease(10, Date.now())).toHaveLength(1)
    s.close()
    expect(open().lease(10, Date.now())).toHaveLength(1)
  })
})

describe('MemoryStore (best_effort)', () => {
  it('is bounded: newest spans beyond the cap are dropped and counted', () => {
    const m = new MemoryStore(3, 1e9, 1e9)
    m.add(
      [1, 2, 3, 4, 5].map((i) => body(i)),
      Date.now(),
    )
    expect(m.size().count).toBe(3)
    expect(m.counters()).toEqual({ queue_full: 2 })
  })

  it('follows the same lease / release / ack contract', () => {
    const m = new MemoryStore(10, 1e9, 1e9)
    m.add([body(1), body(2)], Date.now())
    const rows = m.lease(10, Date.now())
    expect(m.lease(10, Date.now())).toEqual([])
    m.release([rows[0]?.id ?? 0], Date.now() + 1000)
    m.ack([rows[1]?.id ?? 0])
    expect(m.size().count).toBe(1)
    expect(m.lease(10, Date.now() + 2000)[0]?.attempts).toBe(1)
  })
})
