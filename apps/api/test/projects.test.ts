import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgSchema } from '@tollgate/store'
import { createLogger } from '../src/lib/logger.js'
import { ingest, json, must, span, startTestApp, type TestApp } from './harness.js'

const ADMIN = 'projects-test-instance-key-0123456789'
const SECRET = 'projects-test-jwt-secret-0123456789abcdef'
const logLines: string[] = []
let t: TestApp
const admin = { 'x-api-key': ADMIN }

beforeAll(async () => {
  t = await startTestApp(
    { API_KEY: ADMIN, JWT_SECRET: SECRET, LOG_LEVEL: 'debug', API_KEY_CACHE_TTL_MS: '400' },
    { logger: createLogger('debug', (l) => logLines.push(l)) },
  )
})
afterAll(() => t.close())

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await t.request(path, init)
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}
const post = (path: string, body: unknown, headers: Record<string, string> = admin) => call(path, json(body, headers))

async function newProject(name = 'p'): Promise<string> {
  const res = await post('/api/projects', { name })
  expect(res.status).toBe(201)
  return String(res.body.id)
}

async function newKey(
  projectId: string,
  scopes: string[] = ['ingest', 'read'],
  headers: Record<string, string> = admin,
): Promise<{ id: string; key: string; prefix: string }> {
  const res = await post(`/api/projects/${projectId}/keys`, { scopes }, headers)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { id: string; key: string; prefix: string }
}

const jwt = (claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('user-1')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET))

describe('projects and keys', () => {
  it('creates a project and a key shown once, stored only as its SHA-256', async () => {
    const id = await newProject('Acme')
    expect((await call('/api/projects', { headers: admin })).body.projects).toContainEqual(
      expect.objectContaining({ id, name: 'Acme' }),
    )
    const res = await post(`/api/projects/${id}/keys`, { scopes: ['ingest'] })
    expect(res.status).toBe(201)
    const { key, prefix, scopes, created_at } = res.body as {
      key: string
      prefix: string
      scopes: string[]
      created_at: string
    }
    expect(key).toMatch(/^tg_sk_[\w-]{32,}$/)
    expect(Buffer.from(key.slice(6), 'base64url').length).toBeGreaterThanOrEqual(16)
    expect(key.startsWith(prefix)).toBe(true)
    expect(scopes).toEqual(['ingest'])
    expect(Date.parse(created_at)).not.toBeNaN()
    const rows = await t.deps.pg.db.select().from(pgSchema.apiKeys)
    expect(JSON.stringify(rows)).not.toContain(key)
    const listed = await call(`/api/projects/${id}/keys`, { headers: admin })
    expect(JSON.stringify(listed.body)).not.toContain(key)
    expect(listed.body.keys).toEqual([expect.objectContaining({ prefix, scopes: ['ingest'], revoked_at: null })])
  })

  it('lets a key act only within its scopes, on its own project', async () => {
    const id = await newProject()
    const ingestOnly = await newKey(id, ['ingest'])
    const readOnly = await newKey(id, ['read'])
    const s = span()
    expect((await ingest(t, s, { 'x-api-key': ingestOnly.key })).status).toBe(202)
    expect((await ingest(t, s, { 'x-api-key': readOnly.key })).status).toBe(403)
    expect((await call('/api/traces', { headers: { 'x-api-key': ingestOnly.key } })).status).toBe(403)
    const list = await call(`/api/traces?search=${String(s.trace_id)}`, {
      headers: { authorization: `Bearer ${readOnly.key}` },
    })
    expect(list.status).toBe(200)
    expect(list.body.traces).toHaveLength(1)
    // Keys never mutate: creating a key or a project needs an admin credential.
    expect((await post(`/api/projects/${id}/keys`, {}, { 'x-api-key': readOnly.key })).status).toBe(403)
    expect((await post('/api/projects', { name: 'x' }, { 'x-api-key': readOnly.key })).status).toBe(403)
  })

  it('answers 404 for another project (never 403: ids cannot be probed)', async () => {
    const [a, b] = [await newProject('a'), await newProject('b')]
    const adminA = { authorization: `Bearer ${await jwt({ project_id: a, role: 'admin' })}` }
    expect((await newKey(a, ['read'], adminA)).key).toMatch(/^tg_sk_/)
    expect((await post(`/api/projects/${b}/keys`, {}, adminA)).status).toBe(404)
    expect((await call(`/api/projects/${b}/keys`, { headers: adminA })).status).toBe(404)
    const keyB = await newKey(b)
    expect((await call(`/api/projects/${b}/keys/${keyB.id}`, { method: 'DELETE', headers: adminA })).status).toBe(404)
    expect((await call(`/api/projects/${a}/keys/${keyB.id}`, { method: 'DELETE', headers: adminA })).status).toBe(404)
    expect((await call('/api/projects', { headers: adminA })).body.projects).toEqual([
      expect.objectContaining({ id: a }),
    ])
    // Only the instance admin creates projects.
    expect((await post('/api/projects', { name: 'x' }, adminA)).status).toBe(403)
  })

  it('gives a viewer 403 on every mutation, reads allowed', async () => {
    const id = await newProject()
    const viewer = { authorization: `Bearer ${await jwt({ project_id: id, role: 'viewer' })}` }
    expect((await call('/api/traces', { headers: viewer })).status).toBe(200)
    expect((await post(`/api/projects/${id}/keys`, {}, viewer)).status).toBe(403)
    expect((await call(`/api/projects/${id}/keys`, { headers: viewer })).status).toBe(403)
    expect((await ingest(t, span(), viewer)).status).toBe(403)
  })

  it('stops a revoked key at once here, and within API_KEY_CACHE_TTL_MS when revoked elsewhere', async () => {
    const id = await newProject()
    const k1 = await newKey(id, ['read'])
    const h1 = { 'x-api-key': k1.key }
    expect((await call('/api/traces', { headers: h1 })).status).toBe(200)
    expect((await call(`/api/projects/${id}/keys/${k1.id}`, { method: 'DELETE', headers: admin })).status).toBe(204)
    expect((await call('/api/traces', { headers: h1 })).status).toBe(401)
    expect((await call(`/api/projects/${id}/keys/${k1.id}`, { method: 'DELETE', headers: admin })).status).toBe(404)

    // Another replica revokes: only the database changes, this process's cache still holds the key.
    const k2 = await newKey(id, ['read'])
    const h2 = { 'x-api-key': k2.key }
    expect((await call('/api/traces', { headers: h2 })).status).toBe(200)
    await t.deps.pg.pool.query('update api_keys set revoked_at = now() where id = $1', [k2.id])
    const revokedAt = Date.now()
    let status = 200
    while (status === 200 && Date.now() - revokedAt < 5000) {
      status = (await call('/api/traces', { headers: h2 })).status
      if (status === 200) await new Promise((r) => setTimeout(r, 50))
    }
    expect(status).toBe(401)
    expect(Date.now() - revokedAt).toBeLessThan(400 + 300)
    const listed = (await call(`/api/projects/${id}/keys`, { headers: admin })).body.keys as Array<{
      id: string
      revoked_at: string | null
      last_used_at: string | null
    }>
    expect(
      must(
        listed.find((k) => k.id === k2.id),
        'k2',
      ).revoked_at,
    ).not.toBeNull()
    expect(
      must(
        listed.find((k) => k.id === k2.id),
        'k2',
      ).last_used_at,
    ).not.toBeNull()
  })

  it('validates bodies', async () => {
    expect((await post('/api/projects', { name: '' })).status).toBe(400)
    expect((await post('/api/projects', { name: 'x', id: 'chosen' })).status).toBe(400)
    const id = await newProject()
    expect((await post(`/api/projects/${id}/keys`, { scopes: ['admin'] })).status).toBe(400)
    expect((await post(`/api/projects/${id}/keys`, { scopes: [] })).status).toBe(400)
    expect(
      (
        await call(`/api/projects/${id}/keys`, {
          method: 'POST',
          headers: { ...admin, 'content-type': 'application/json' },
          body: '{',
        })
      ).status,
    ).toBe(400)
    expect((await post('/api/projects/nope/keys', {})).status).toBe(404)
  })

  it('never logs a key', async () => {
    const id = await newProject()
    const k = await newKey(id)
    await ingest(t, span(), { 'x-api-key': k.key })
    await call('/api/traces', { headers: { 'x-api-key': k.key + 'x' } })
    const logs = logLines.join('\n')
    expect(logs).toContain('request')
    expect(logs).not.toContain(k.key)
    expect(logs).not.toContain(ADMIN)
    expect(logs).not.toContain('tg_sk_')
  })
})
