import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.js'
import { WEB_PATHS } from '../src/auth/policy.js'
import { span, startTestApp, type TestApp } from './harness.js'

const KEY = 'routes-test-instance-key-0123456789'
/** The allow-list of docs/security.md: the only paths that answer without credentials. */
const PUBLIC = ['GET /health', 'GET /api/health', 'GET /ready', 'GET /openapi.json', 'GET /api/reports/keys']

let t: TestApp
beforeAll(async () => {
  t = await startTestApp({ API_KEY: KEY, JWT_SECRET: 's'.repeat(40) })
})
afterAll(() => t.close())

/** Every concrete route the app registered (middleware is registered as method ALL), with its params filled in. */
function registeredRoutes(): Array<{ method: string; path: string }> {
  const seen = new Set<string>()
  return t.app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({
      method: r.method,
      path: r.path.replace(/:(\w+)/g, (_, name: string) =>
        name === 'id' ? '4bf92f3577b34da6a3ce929d0e0e4736' : `x-${name}`,
      ),
    }))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`))
}

describe('every registered route is locked unless allow-listed', () => {
  it('finds the routes (the enumeration itself works)', () => {
    const names = registeredRoutes().map((r) => `${r.method} ${r.path}`)
    const id = '4bf92f3577b34da6a3ce929d0e0e4736'
    // One route of each door (ingest, compat and OTLP at the root, analytics, reports, session, dashboard),
    // so a door mounted where app.routes cannot see it fails here instead of escaping the checks below.
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /api/ingest',
        'GET /api/traces',
        'POST /api/projects',
        'GET /metrics',
        'POST /v1/traces',
        'POST /v1/spans',
        'POST /v1/events/batch',
        'GET /v1/control/policy',
        'GET /tsdb/pricing',
        'GET /api/cost/daily',
        `GET /api/spans/${id}/similar`,
        `GET /api/traces/${id}/compliance-report`,
        'GET /api/reports/monthly/pdf',
        'GET /api/audit',
        'PUT /api/scan/policy',
        'POST /api/session',
        'GET /',
        'GET /assets/x-file',
        ...PUBLIC,
      ]),
    )
  })

  it.each([
    ['no credentials', {}],
    ['an empty X-API-Key', { 'x-api-key': '' }],
    ['a wrong key', { 'x-api-key': 'tg_sk_not-a-key' }],
    ['a garbage bearer', { authorization: 'Bearer a.b.c' }],
  ])(
    'answers 401 + WWW-Authenticate to %s on every route not on the list',
    async (_, headers: Record<string, string>) => {
      for (const { method, path } of registeredRoutes()) {
        const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } }
        if (method !== 'GET' && method !== 'HEAD')
          init.body = JSON.stringify(method === 'POST' && path === '/api/ingest' ? span() : { name: 'x' })
        const res = await t.request(path, init)
        if (PUBLIC.includes(`${method} ${path}`)) {
          expect(res.status, `${method} ${path}`).toBeLessThan(400)
          continue
        }
        // The dashboard's pages and files (routes/web): bare, holding no data (200, or 503/404 when not built).
        if (method === 'GET' && WEB_PATHS.test(path)) {
          expect(res.status, `${method} ${path}`).not.toBe(401)
          continue
        }
        expect(res.status, `${method} ${path} answered without credentials`).toBe(401)
        expect(res.headers.get('www-authenticate'), `${method} ${path}`).toMatch(/^Bearer realm=/)
        expect(res.headers.get('content-type')).toContain('application/problem+json')
      }
    },
  )

  it('locks paths that match no route too (no 404 that tells which routes exist)', async () => {
    expect((await t.request('/api/nothing-here')).status).toBe(401)
    expect((await t.request('/health/../api/traces')).status).not.toBe(200)
  })

  it('serves /metrics bare only with METRICS_PUBLIC=true', async () => {
    expect((await t.request('/metrics')).status).toBe(401)
    expect((await t.request('/metrics', { headers: { 'x-api-key': KEY } })).status).toBe(200)
    const open = createApp({ ...t.deps, env: { ...t.deps.env, METRICS_PUBLIC: true } })
    expect((await open.request('/metrics')).status).toBe(200)
    expect((await open.request('/api/traces')).status).toBe(401)
  })

  it('accepts an instance key that happens to look like a project key', async () => {
    const instanceKey = 'tg_sk_' + 'i'.repeat(24)
    const app = createApp({ ...t.deps, env: { ...t.deps.env, API_KEY: instanceKey } })
    expect((await app.request('/api/projects', { headers: { 'x-api-key': instanceKey } })).status).toBe(200)
  })

  it('does not let an empty X-API-Key hide a valid Bearer', async () => {
    const res = await t.request('/api/traces', { headers: { 'x-api-key': '', authorization: `Bearer ${KEY}` } })
    expect(res.status).toBe(200)
    const res2 = await t.request('/api/traces', {
      headers: { 'x-api-key': '  ', 'x-aeneassoft-api-key': '', authorization: `Bearer ${KEY}` },
    })
    expect(res2.status).toBe(200)
  })
})
