import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.js'
import { json, removeDir, span, startTestApp, type TestApp } from './harness.js'

const KEY = 'session-test-instance-key-0123456789'
const SECRET = 'j'.repeat(40)

let t: TestApp
beforeAll(async () => {
  t = await startTestApp({ API_KEY: KEY, JWT_SECRET: SECRET })
})
afterAll(async () => {
  await t.close()
  removeDir(t.dataDir)
})

/** The cookie a Set-Cookie header sets, as a browser would send it back. */
function cookieOf(res: Response): { cookie: string; attributes: string } {
  const header = res.headers.get('set-cookie') ?? ''
  const [pair = '', ...attributes] = header.split(';').map((s) => s.trim())
  return { cookie: pair, attributes: attributes.join('; ') }
}

async function login(credential: string): Promise<Response> {
  return t.request('/api/session', { method: 'POST', headers: { 'x-api-key': credential } })
}

async function newKey(scopes: string[]): Promise<{ id: string; key: string }> {
  const res = await t.request('/api/projects/default/keys', json({ scopes }, { 'x-api-key': KEY }))
  expect(res.status).toBe(201)
  return (await res.json()) as { id: string; key: string }
}

const rule = { name: 'from the dashboard', condition: 'error_rate', threshold: 0.5 }

describe('POST /api/session (the dashboard login)', () => {
  it('refuses a wrong key, or none, with 401 problem+json and no cookie', async () => {
    for (const res of [
      await login('tg_sk_wrong-key-wrong-key-wrong'),
      await login('not-the-instance-key'),
      await t.request('/api/session', { method: 'POST' }),
    ]) {
      expect(res.status).toBe(401)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      expect(res.headers.get('set-cookie')).toBeNull()
    }
  })

  it('turns a valid key into an HttpOnly, Secure, SameSite=Strict cookie that authenticates reads', async () => {
    const res = await login(KEY)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      project_id: 'default',
      role: 'admin',
      via: 'api-key',
      instance_admin: true,
      local_mode: false,
    })
    const { cookie, attributes } = cookieOf(res)
    expect(cookie).toMatch(/^tollgate_session=/)
    expect(attributes).toMatch(/HttpOnly/)
    expect(attributes).toMatch(/Secure/)
    expect(attributes).toMatch(/SameSite=Strict/)
    expect(attributes).toMatch(/Path=\//)
    expect(attributes).toMatch(/Max-Age=43200/)

    const traces = await t.request('/api/traces', { headers: { cookie } })
    expect(traces.status).toBe(200)
    const me = await t.request('/api/session', { headers: { cookie } })
    expect(((await me.json()) as { via: string }).via).toBe('api-key')
    // A forged cookie is a wrong credential like any other.
    expect((await t.request('/api/traces', { headers: { cookie: 'tollgate_session=forged' } })).status).toBe(401)
  })

  it('needs X-Tollgate-CSRF on mutations authenticated by the cookie alone (not on header credentials)', async () => {
    const { cookie } = cookieOf(await login(KEY))
    const bare = await t.request('/api/alerts', json(rule, { cookie }))
    expect(bare.status).toBe(403)
    expect(((await bare.json()) as { detail: string }).detail).toContain('x-tollgate-csrf')
    const withHeader = await t.request('/api/alerts', json(rule, { cookie, 'x-tollgate-csrf': '1' }))
    expect(withHeader.status).toBe(201)
    const { id } = (await withHeader.json()) as { id: string }
    // The header is checked, not just present.
    const wrong = await t.request(`/api/alerts/${id}`, {
      method: 'DELETE',
      headers: { cookie, 'x-tollgate-csrf': '0' },
    })
    expect(wrong.status).toBe(403)
    // SDKs and scripts send their key in a header: no CSRF header needed, cookie or not.
    const viaKey = await t.request(`/api/alerts/${id}`, { method: 'DELETE', headers: { 'x-api-key': KEY, cookie } })
    expect(viaKey.status).toBe(204)
  })

  it('checks the credential in the cookie on every request: a revoked key stops at once', async () => {
    const read = await newKey(['read'])
    const res = await login(read.key)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { role: string }).role).toBe('viewer')
    const { cookie } = cookieOf(res)
    expect((await t.request('/api/traces', { headers: { cookie } })).status).toBe(200)
    // A viewer's cookie cannot mutate, CSRF header or not.
    expect((await t.request('/api/alerts', json(rule, { cookie, 'x-tollgate-csrf': '1' }))).status).toBe(403)
    const revoked = await t.request(`/api/projects/default/keys/${read.id}`, {
      method: 'DELETE',
      headers: { 'x-api-key': KEY },
    })
    expect(revoked.status).toBe(204)
    expect((await t.request('/api/traces', { headers: { cookie } })).status).toBe(401)
  })

  it('refuses a key that cannot read (an ingest-only key is for SDKs, not the dashboard)', async () => {
    const ingest = await newKey(['ingest'])
    const res = await login(ingest.key)
    expect(res.status).toBe(403)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('takes a JWT as well', async () => {
    const token = await new SignJWT({ role: 'viewer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET))
    const res = await t.request('/api/session', { method: 'POST', headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { via: string }).via).toBe('jwt')
    const { cookie } = cookieOf(res)
    expect((await t.request('/api/traces', { headers: { cookie } })).status).toBe(200)
  })
})

describe('DELETE /api/session (log out)', () => {
  it('clears the cookie, with the CSRF header only', async () => {
    const { cookie } = cookieOf(await login(KEY))
    expect((await t.request('/api/session', { method: 'DELETE', headers: { cookie } })).status).toBe(403)
    const res = await t.request('/api/session', { method: 'DELETE', headers: { cookie, 'x-tollgate-csrf': '1' } })
    expect(res.status).toBe(204)
    const { cookie: cleared, attributes } = cookieOf(res)
    expect(cleared).toBe('tollgate_session=')
    expect(attributes).toMatch(/Max-Age=0/)
  })
})

describe('local mode', () => {
  it('needs no login: the session is the local admin and no cookie is set', async () => {
    const local = createApp({
      ...t.deps,
      env: { ...t.deps.env, LOCAL_MODE: true, API_KEY: undefined, JWT_SECRET: undefined },
    })
    const me = await local.request('/api/session')
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ local_mode: true, role: 'admin', via: 'local' })
    const res = await local.request('/api/session', { method: 'POST', headers: { 'x-api-key': 'anything' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('refuses mutations a browser sends from another origin (nothing to forge, so the origin is checked)', async () => {
    const local = createApp({
      ...t.deps,
      env: { ...t.deps.env, LOCAL_MODE: true, API_KEY: undefined, JWT_SECRET: undefined },
    })
    for (const site of ['cross-site', 'same-site']) {
      const res = await local.request('/api/alerts', json(rule, { 'sec-fetch-site': site }))
      expect(res.status, site).toBe(403)
    }
    // Reads stay open; the dashboard itself (same-origin) and non-browser clients (no header) may mutate.
    expect((await local.request('/api/alerts', { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(200)
    const own = await local.request('/api/alerts', json(rule, { 'sec-fetch-site': 'same-origin' }))
    expect(own.status).toBe(201)
    const { id } = (await own.json()) as { id: string }
    expect((await local.request(`/api/alerts/${id}`, { method: 'DELETE' })).status).toBe(204)
    // Spans from a browser app (CORS_ORIGINS) are not settings: ingest stays open.
    const spans = await local.request('/api/ingest', json(span(), { 'sec-fetch-site': 'cross-site' }))
    expect(spans.status).toBe(202)
  })
})
