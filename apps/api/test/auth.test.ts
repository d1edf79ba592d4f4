import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingest, span, startTestApp, type TestApp } from './harness.js'

const KEY = 'k'.repeat(12) + '-auth-test-key'
let t: TestApp
beforeAll(async () => {
  t = await startTestApp({ API_KEY: KEY })
})
afterAll(() => t.close())

describe('API_KEY mode', () => {
  it.each([
    ['X-API-Key', { 'x-api-key': KEY }],
    ['X-AeneasSoft-API-Key', { 'x-aeneassoft-api-key': KEY }],
    ['Authorization: Bearer', { authorization: `Bearer ${KEY}` }],
  ])('accepts the key in %s', async (_, headers) => {
    expect((await ingest(t, span(), headers)).status).toBe(202)
    expect((await t.request('/api/traces', { headers })).status).toBe(200)
  })

  it.each([
    ['no key', {}],
    ['a wrong key', { 'x-api-key': 'nope' }],
    ['the key with a suffix', { 'x-api-key': KEY + 'x' }],
    ['a prefix of the key', { 'x-api-key': KEY.slice(0, -1) }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['a Basic header', { authorization: `Basic ${Buffer.from(KEY).toString('base64')}` }],
  ])('refuses %s with 401 problem+json on every route', async (_, headers) => {
    for (const [path, init] of [
      [
        '/api/ingest',
        { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(span()) },
      ],
      ['/api/traces', { headers }],
      ['/api/traces/4bf92f3577b34da6a3ce929d0e0e4736/spans', { headers }],
      ['/api/traces/4bf92f3577b34da6a3ce929d0e0e4736/graph', { headers }],
    ] as const) {
      const res = await t.request(path, init)
      expect(res.status, path).toBe(401)
      expect(res.headers.get('www-authenticate'), path).toBe('Bearer realm="tollgate"')
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      const body = (await res.json()) as { type: string; detail: string }
      expect(body.type).toMatch(/\/unauthorized$/)
      expect(body.detail).not.toContain(KEY)
    }
  })

  it('leaves health endpoints open', async () => {
    for (const path of ['/health', '/api/health', '/ready']) expect((await t.request(path)).status, path).toBe(200)
  })
})
