import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectPostgres, type Postgres } from '@tollgate/store'
import { removeDir, tempDataDir } from './harness.js'

const dataDir = tempDataDir()
let db: Postgres
beforeAll(async () => {
  db = await connectPostgres({ dataDir })
})
afterAll(async () => {
  await db.close()
  removeDir(dataDir)
})

describe('the embedded Postgres socket', () => {
  it('is a Unix socket only this user can open (0700 directory, 0600 socket), no TCP port', async () => {
    expect(db.url).not.toMatch(/127\.0\.0\.1|localhost/)
    const dir = decodeURIComponent(db.url.slice(db.url.indexOf('host=') + 5))
    const st = statSync(dir)
    expect(st.mode & 0o777).toBe(0o700)
    expect(st.uid).toBe(process.getuid?.())
    const socket = statSync(join(dir, '.s.PGSQL.5432'))
    expect(socket.isSocket()).toBe(true)
    expect(socket.mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual(['.s.PGSQL.5432'])
  })

  it('serves the pool and a tool using the logged URL', async () => {
    expect((await db.pool.query<{ n: number }>('select 1 as n')).rows).toEqual([{ n: 1 }])
    const tool = new pg.Client({ connectionString: db.url })
    await tool.connect()
    expect((await tool.query<{ n: number }>('select 2 as n')).rows).toEqual([{ n: 2 }])
    await tool.end()
  })

  it('removes the socket directory on close', async () => {
    const otherDir = tempDataDir()
    const other = await connectPostgres({ dataDir: otherDir })
    const dir = decodeURIComponent(other.url.slice(other.url.indexOf('host=') + 5))
    await other.close()
    removeDir(otherDir)
    expect(() => statSync(dir)).toThrow()
  })
})
