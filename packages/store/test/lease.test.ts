// Leases (postgres/lease.ts) on the embedded Postgres: of many holders racing for a free lease exactly
// one wins; its holder renews it, nobody else takes it while it lasts, a release frees it at once, and
// an expired one goes to the next holder that asks.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  acquireLease,
  connectPostgres,
  migratePostgres,
  newLeaseHolder,
  pgSchema,
  releaseLease,
  type Postgres,
} from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-lease-'))
let pg: Postgres
beforeAll(async () => {
  pg = await connectPostgres({ dataDir: dir })
  await migratePostgres(pg.db)
})
afterAll(async () => {
  await pg.close()
  rmSync(dir, { recursive: true, force: true })
})

const row = async (name: string) => (await pg.db.select().from(pgSchema.leases)).find((r) => r.name === name)

describe('leases', () => {
  it('goes to exactly one of 20 holders racing for it, who renews it while the others are refused', async () => {
    const holders = Array.from({ length: 20 }, () => newLeaseHolder())
    expect(new Set(holders).size).toBe(20)
    const won = await Promise.all(holders.map((holder) => acquireLease(pg.db, { name: 'race', holder, ttlMs: 60_000 })))
    expect(won.filter(Boolean)).toHaveLength(1)
    const winner = holders[won.indexOf(true)] ?? ''
    const taken = await row('race')
    expect(taken?.holder).toBe(winner)

    expect(await acquireLease(pg.db, { name: 'race', holder: winner, ttlMs: 60_000 })).toBe(true)
    const renewed = await row('race')
    expect(renewed?.acquiredAt).toEqual(taken?.acquiredAt) // a renewal keeps when it was taken
    expect(renewed?.expiresAt.getTime()).toBeGreaterThanOrEqual(taken?.expiresAt.getTime() ?? Infinity)
    for (const other of holders.filter((h) => h !== winner))
      expect(await acquireLease(pg.db, { name: 'race', holder: other, ttlMs: 60_000 })).toBe(false)
    // Another name is another lease.
    expect(await acquireLease(pg.db, { name: 'elsewhere', holder: holders[0] ?? '', ttlMs: 60_000 })).toBe(true)
  })

  it('is free at once after a release by its holder, and only by its holder', async () => {
    const [a, b] = [newLeaseHolder(), newLeaseHolder()]
    expect(await acquireLease(pg.db, { name: 'release', holder: a, ttlMs: 60_000 })).toBe(true)
    expect(await releaseLease(pg.db, { name: 'release', holder: b })).toBe(false)
    expect(await acquireLease(pg.db, { name: 'release', holder: b, ttlMs: 60_000 })).toBe(false)
    expect(await releaseLease(pg.db, { name: 'release', holder: a })).toBe(true)
    expect(await acquireLease(pg.db, { name: 'release', holder: b, ttlMs: 60_000 })).toBe(true)
    expect((await row('release'))?.holder).toBe(b)
  })

  it('goes to the next holder that asks once it has expired', async () => {
    const [dead, next] = [newLeaseHolder(), newLeaseHolder()]
    expect(await acquireLease(pg.db, { name: 'expiry', holder: dead, ttlMs: 100 })).toBe(true)
    const deadRow = await row('expiry')
    let taken = false
    for (let i = 0; i < 100 && !taken; i++) {
      taken = await acquireLease(pg.db, { name: 'expiry', holder: next, ttlMs: 60_000 })
      if (!taken) await new Promise((r) => setTimeout(r, 20))
    }
    expect(taken).toBe(true)
    const now = await row('expiry')
    expect(now?.holder).toBe(next)
    expect(now?.acquiredAt.getTime()).toBeGreaterThan(deadRow?.acquiredAt.getTime() ?? Infinity) // taken anew
    // The dead holder's renewal, should it come back, fails: the lease is someone else's now.
    expect(await acquireLease(pg.db, { name: 'expiry', holder: dead, ttlMs: 100 })).toBe(false)
  })
})
