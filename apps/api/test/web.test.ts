import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppEnv } from '../src/context.js'
import { WEB_PATHS } from '../src/auth/policy.js'
import { CLIENT_ROUTES, CONTENT_SECURITY_POLICY, webRoutes } from '../src/routes/web/index.js'
import { removeDir, startTestApp, type TestApp } from './harness.js'

const KEY = 'web-test-instance-key-0123456789abc'

/** A build output as Vite lays it out: index.html, content-hashed assets, a root file. */
function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-web-'))
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/index-AbC123.js"></script>')
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), `console.log(${JSON.stringify('x'.repeat(4000))})`)
  writeFileSync(join(dir, 'assets', 'index-DeF456.css'), 'body{margin:0}')
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  return dir
}

let t: TestApp
let dist: string
let web: Hono<AppEnv>
beforeAll(async () => {
  t = await startTestApp({ API_KEY: KEY })
  dist = fakeDist()
  web = new Hono<AppEnv>().route('/', webRoutes({ dir: dist }))
})
afterAll(async () => {
  await t.close()
  removeDir(t.dataDir)
  removeDir(dist)
})

describe('the dashboard files', () => {
  it('serves index.html on every client route, revalidated each time, with a strict CSP', async () => {
    for (const path of ['/', '/traces', '/traces/4bf92f3577b34da6a3ce929d0e0e4736', '/cost', '/settings', '/login']) {
      const res = await web.request(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(await res.text()).toContain('/assets/index-AbC123.js')
    }
    const csp = CONTENT_SECURITY_POLICY
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).toContain("frame-ancestors 'none'")
  })

  it('answers HEAD like GET, without a body', async () => {
    const res = await web.request('/', { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(await res.text()).toBe('')
  })

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await web.request('/')
    const etag = first.headers.get('etag') ?? ''
    expect(etag).toMatch(/^"[\w-]{22}"$/)
    const again = await web.request('/', { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
  })

  it('caches hashed assets as immutable for a year, gzipped when the client accepts it', async () => {
    const res = await web.request('/assets/index-AbC123.js', { headers: { 'accept-encoding': 'gzip, br' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(res.headers.get('vary')).toBe('Accept-Encoding')
    const body = gunzipSync(Buffer.from(await res.arrayBuffer())).toString()
    expect(body).toContain('console.log')
    const plain = await web.request('/assets/index-AbC123.js')
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect((await plain.text()).length).toBe(body.length)
    const css = await web.request('/assets/index-DeF456.css')
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
  })

  it('answers 404 problem+json for an asset that does not exist, never index.html', async () => {
    for (const path of ['/assets/nope.js', '/assets/..%2Findex.html']) {
      const res = await web.request(path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
    }
  })

  it('says the dashboard is not built when dist/ is missing', async () => {
    const none = new Hono<AppEnv>().route('/', webRoutes({ dir: join(dist, 'missing') }))
    const res = await none.request('/')
    expect(res.status).toBe(503)
    expect(((await res.json()) as { detail: string }).detail).toContain('npm run build')
  })
})

describe('the dashboard and authentication', () => {
  it('lets every client route and asset through bare, and nothing of the API', async () => {
    for (const route of CLIENT_ROUTES) expect(WEB_PATHS.test(route.replace(':id', 'abc123')), route).toBe(true)
    for (const path of ['/assets/index-AbC123.js', '/favicon.svg']) expect(WEB_PATHS.test(path), path).toBe(true)
    for (const path of [
      '/api',
      '/api/traces',
      '/api/session',
      '/v1/traces',
      '/health',
      '/ready',
      '/metrics',
      '/openapi.json',
      '/traces/a/b',
      '/assets/a/b.js',
      '/assets/',
      '/costs',
      '//api/traces',
    ])
      expect(WEB_PATHS.test(path), path).toBe(false)
  })

  it('serves the page without credentials while the API behind it stays locked', async () => {
    // The real app (with API_KEY): the page answers bare (200 when built, 503 when not), never 401.
    for (const path of ['/', '/traces', '/alerts']) expect((await t.request(path)).status, path).not.toBe(401)
    expect((await t.request('/api/traces')).status).toBe(401)
    expect((await t.request('/api/session')).status).toBe(401)
    expect((await t.request('/nothing-here')).status).toBe(401)
    // Only GET/HEAD are public: a POST to a page path is authenticated like anything else.
    expect((await t.request('/traces', { method: 'POST' })).status).toBe(401)
    // /health, /ready, /openapi.json answer as before, not index.html.
    expect((await t.request('/health')).headers.get('content-type')).toContain('application/json')
    expect((await t.request('/openapi.json')).headers.get('content-type')).toContain('application/json')
  })
})
