// Reads in the embedded mode do not queue behind one another or behind a write: chDB runs one query at
// a time per connection and every parameterised query of the process through one global chain
// (node_modules/chdb/index.js), so reads run on their own connections with parameters bound as typed
// literals (bind.ts). Ordering assertions, not timings: the fast read must finish while the slow one
// is still running; it cannot if either the connection or the parameter chain serialised them.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { connectClickHouse, runQuery, type ClickHouse } from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-reads-'))
let ch: ClickHouse
beforeAll(async () => {
  ch = await connectClickHouse({ database: 'tollgate', dataDir: dir })
})
afterAll(async () => {
  await ch.close()
  rmSync(dir, { recursive: true, force: true })
})

// ~2 s of sleeping in the engine (sleepEachRow sleeps per row; one row per block), no CPU.
const SLOW = 'SELECT sum(sleepEachRow(0.25)) + {x:UInt8} AS v FROM numbers(8) SETTINGS max_block_size = 1'
const Row = z.object({ v: z.coerce.number() })

async function race(slow: () => Promise<unknown>, fast: () => Promise<unknown>): Promise<string[]> {
  const done: string[] = []
  const s = slow().then(() => done.push('slow'))
  await new Promise((r) => setTimeout(r, 200)) // the slow one is running
  await fast().then(() => done.push('fast'))
  await s
  return done
}

describe('concurrent reads (embedded chDB)', () => {
  it('a parameterised read finishes while another parameterised read is still running', async () => {
    const order = await race(
      () => runQuery(ch, { name: 'test.slow', query: SLOW, params: { x: 1 }, schema: Row }),
      () => runQuery(ch, { name: 'test.fast', query: 'SELECT {x:UInt8} + 1 AS v', params: { x: 1 }, schema: Row }),
    )
    expect(order).toEqual(['fast', 'slow'])
  })

  it('a read finishes while a slow statement runs on the write connection', async () => {
    const order = await race(
      () => ch.client.command({ query: 'SELECT sum(sleepEachRow(0.25)) FROM numbers(8) SETTINGS max_block_size = 1' }),
      () => runQuery(ch, { name: 'test.fast', query: 'SELECT {x:UInt8} + 1 AS v', params: { x: 1 }, schema: Row }),
    )
    expect(order).toEqual(['fast', 'slow'])
  })

  it("control: the same two reads through the binding's own parameters do queue", async () => {
    // What the workaround avoids; if chDB stops chaining parameterised queries this test says so.
    const order = await race(
      () =>
        ch.read(async (c) => (await c.query({ query: SLOW, query_params: { x: 1 }, format: 'JSONEachRow' })).json()),
      () =>
        ch.read(async (c) =>
          (await c.query({ query: 'SELECT {x:UInt8} AS v', query_params: { x: 1 }, format: 'JSONEachRow' })).json(),
        ),
    )
    expect(order).toEqual(['slow', 'fast'])
  })
})
