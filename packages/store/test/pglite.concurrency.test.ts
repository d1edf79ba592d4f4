// The embedded Postgres answers every query with its own statement's result under concurrency.
// pglite-socket multiplexes connections onto PGlite's one session and queues each protocol message on
// its own, so two connections' extended-protocol queries interleave on the session's unnamed statement
// and portal: with a pool of 4, a mixed concurrent load got `portal "" does not exist`, `unnamed
// prepared statement does not exist` and, worse, answers to another query's statement. The embedded
// mode therefore uses one pool connection (client.ts); this test fails with more.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectPostgres, type Postgres } from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-pglite-'))
let pg: Postgres
beforeAll(async () => {
  pg = await connectPostgres({ dataDir: dir, poolSize: 4 })
  await pg.pool.query('CREATE TABLE mixed (id int PRIMARY KEY, v text)')
})
afterAll(async () => {
  await pg.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('embedded Postgres under concurrent queries', () => {
  it('answers each of 400 concurrent queries (large parameters, transactions, small selects) with its own result', async () => {
    const big = 'y'.repeat(300_000) // several socket reads: its messages arrive in pieces
    const results = await Promise.allSettled(
      Array.from({ length: 400 }, async (_, i) => {
        switch (i % 4) {
          case 0: {
            const r = await pg.pool.query<{ v: number }>('SELECT length($1::text) AS v', [big + i])
            return r.rows[0]?.v === big.length + String(i).length
          }
          case 1: {
            const c = await pg.pool.connect()
            try {
              await c.query('BEGIN')
              await c.query('INSERT INTO mixed VALUES ($1, $2)', [i, `row ${i}`])
              const r = await c.query<{ v: string }>('SELECT v FROM mixed WHERE id = $1', [i])
              await c.query('COMMIT')
              return r.rows[0]?.v === `row ${i}`
            } finally {
              c.release()
            }
          }
          case 2: {
            const r = await pg.pool.query<{ v: number }>('SELECT $1::int * 2 AS v', [i])
            return r.rows[0]?.v === i * 2
          }
          default: {
            const r = await pg.pool.query<{ v: string; w: number }>('SELECT $1::text AS v, $2::int AS w', [
              String(i),
              i,
            ])
            return r.rows[0]?.v === String(i) && r.rows[0]?.w === i
          }
        }
      }),
    )
    const failed = results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${i}: ${(r.reason as Error).message}`] : r.value ? [] : [`${i}: wrong answer`],
    )
    expect(failed).toEqual([])
    const rows = await pg.pool.query<{ n: string }>('SELECT count(*) AS n FROM mixed')
    expect(Number(rows.rows[0]?.n)).toBe(100)
  })
})
