import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/run.js'
import type { RunningServer } from '../src/server.js'
import { removeDir, startTestServer } from './harness.js'

const KEY = 'cli-test-instance-key-0123456789'
let s: RunningServer & { dataDir: string }
beforeAll(async () => {
  s = await startTestServer({ API_KEY: KEY, API_KEY_CACHE_TTL_MS: '300' })
})
afterAll(async () => {
  await s.close()
  removeDir(s.dataDir)
})

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, {
    env: { TOLLGATE_URL: s.url, TOLLGATE_API_KEY: KEY },
    fetch,
    out: (t) => (out += t),
    err: (t) => (err += t),
  })
  return { code, out, err }
}

describe('tollgate CLI against a running server', () => {
  it('creates and lists projects, creates, lists and revokes keys', async () => {
    const created = await cli('projects', 'create', 'From the CLI')
    expect(created.code).toBe(0)
    const project = JSON.parse(created.out) as { id: string; name: string }
    expect(project.name).toBe('From the CLI')
    expect((await cli('projects', 'list')).out).toContain(project.id)

    const k = await cli('keys', 'create', project.id, '--scopes', 'ingest,read')
    expect(k.code).toBe(0)
    expect(k.err).toContain('shown once')
    const key = JSON.parse(k.out) as { id: string; key: string; scopes: string[] }
    expect(key.scopes).toEqual(['ingest', 'read'])
    expect((await fetch(`${s.url}/api/traces`, { headers: { 'x-api-key': key.key } })).status).toBe(200)

    const listed = await cli('keys', 'list', project.id)
    expect(listed.out).toContain(key.id)
    expect(listed.out).not.toContain(key.key)
    expect((await cli('keys', 'revoke', project.id, key.id)).code).toBe(0)
    expect((await fetch(`${s.url}/api/traces`, { headers: { 'x-api-key': key.key } })).status).toBe(401)
  })

  it('reports refusals and usage errors with exit codes', async () => {
    const bad = await cli('keys', 'revoke', 'nope', 'nope')
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/^404 /)
    expect((await cli('keys', 'create', 'x', '--scopes', 'admin')).code).toBe(1)
    expect((await cli('projects')).code).toBe(2)
    expect((await cli('projects', 'list', '--bogus')).code).toBe(2)
    expect((await cli('--help')).code).toBe(0)
    let err = ''
    const code = await runCli(['projects', 'list'], {
      env: { TOLLGATE_URL: s.url },
      fetch,
      out: () => undefined,
      err: (t) => (err += t),
    })
    expect(code).toBe(1)
    expect(err).toMatch(/^401 /)
  })

  it("works straight on Postgres with TOLLGATE_DATABASE_URL (here the running server's own socket)", async () => {
    let out = ''
    let err = ''
    const db = async (...argv: string[]) => {
      out = ''
      err = ''
      return runCli(argv, {
        env: { TOLLGATE_URL: 'http://127.0.0.1:1', TOLLGATE_DATABASE_URL: s.deps.pg.url },
        fetch,
        out: (t) => (out += t),
        err: (t) => (err += t),
      })
    }
    expect(await db('projects', 'create', 'Direct')).toBe(0)
    const project = JSON.parse(out) as { id: string }
    expect(await db('keys', 'create', project.id, '--scopes', 'read')).toBe(0)
    expect(err).toContain('shown once')
    const key = JSON.parse(out) as { id: string; key: string }
    expect((await fetch(`${s.url}/api/traces`, { headers: { 'x-api-key': key.key } })).status).toBe(200)
    expect(await db('keys', 'list', project.id)).toBe(0)
    expect(out).toContain(key.id)
    expect(await db('keys', 'revoke', project.id, key.id)).toBe(0)
    // The server learns of it from the database, within its key cache TTL (300 ms here).
    await new Promise((r) => setTimeout(r, 400))
    expect((await fetch(`${s.url}/api/traces`, { headers: { 'x-api-key': key.key } })).status).toBe(401)
    expect(await db('keys', 'revoke', 'nope', 'x')).toBe(1)
    expect(err).toMatch(/^404 /)
    expect(await db('keys', 'create', project.id, '--scopes', 'admin')).toBe(1)
  })

  it('runs as the built bin (when dist is built)', async () => {
    const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
    if (!existsSync(bin)) return
    // Asynchronously: the server answering the child runs in this process.
    const r = await promisify(execFile)(process.execPath, [bin, 'projects', 'list'], {
      env: { ...process.env, TOLLGATE_URL: s.url, TOLLGATE_API_KEY: KEY },
      encoding: 'utf8',
    })
    expect(r.stdout).toContain('default')
  })
})
