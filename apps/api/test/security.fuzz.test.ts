// Every read route the app serves, with hostile values in every query parameter the routes take and in
// their path ids; and NUL characters in the bodies of the routes that store text in Postgres. Each
// answer is a 2xx/4xx problem, never a 500, and /health stays up. Routes added later are fuzzed too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, startTestApp, type TestApp } from './harness.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

const PARAMS = [
  'limit',
  'offset',
  'from',
  'to',
  'cursor',
  'search',
  'user_id',
  'session_id',
  'agent_id',
  'model',
  'status',
  'sort',
  'order',
  'total',
  'min_cost',
  'granularity',
  'tz',
  'key',
  'group',
  'month',
  'after_seq',
  'chain',
  'trace_id',
  'prompt_sha256',
  'tag.x',
]
const VALUES = [
  '-1',
  '1e308',
  'NaN',
  '%ED%A0%80', // a lone surrogate, UTF-8 encoded
  '%00',
  "'%20OR%201=1",
  'x'.repeat(5000),
  '9999-99-99T99:99:99Z',
  '__proto__',
  '%FF',
]
const PATH_VALUES = ['%ED%A0%80', '%00', 'x'.repeat(300), '..%2F..', '%FF']

describe('hostile parameters on every read route', () => {
  it('never answers 500', async () => {
    const gets = [...new Set(t.app.routes.filter((r) => r.method === 'GET').map((r) => r.path))]
    expect(gets.length).toBeGreaterThan(30)
    const failures: string[] = []
    const check = async (url: string): Promise<void> => {
      const res = await t.request(url)
      if (res.status >= 500) failures.push(`${res.status} ${url.slice(0, 120)}`)
      await res.arrayBuffer()
    }
    for (const route of gets) {
      const path = route.replace(/:id/, '4bf92f3577b34da6a3ce929d0e0e4736').replace(/:(\w+)/g, 'x')
      for (const p of PARAMS) for (const v of VALUES) await check(`${path}?${p}=${v}`)
      if (route.includes(':')) for (const v of PATH_VALUES) await check(route.replace(/:(\w+)/g, v))
    }
    expect(failures).toEqual([])
    expect((await t.request('/health')).status).toBe(200)
  }, 600_000)
})

describe('NUL characters in bodies stored in Postgres', () => {
  const nul = 'a\u0000b'
  const now = new Date().toISOString()
  it.each<[string, string, unknown]>([
    ['POST', '/api/projects', { name: nul }],
    ['POST', '/api/budgets', { name: nul, limit_usd: 1 }],
    ['POST', '/api/alerts', { name: nul, condition: 'cost_per_hour', threshold: 1 }],
    ['POST', '/api/alerts/sdk-alert', { scope: 'agent', reason: nul, message: nul }],
    [
      'POST',
      '/api/circuit-breaker/state',
      { scope: 'agent', scope_id: nul, name: nul, event: 'triggered', from: 'CLOSED', to: 'OPEN', timestamp: now },
    ],
    ['POST', '/v1/control/events', { events: [{ event_type: 'control', action: 'block', budget_id: nul }] }],
  ])('%s %s answers 4xx (or stores it), never 500', async (method, path, body) => {
    const res = await t.request(path, { ...json(body), method })
    expect(res.status, await res.text()).toBeLessThan(500)
  })

  it('answers a NUL in a path id or filter with 400 problem+json', async () => {
    for (const url of ['/api/budgets/%00', '/api/projects/%00/keys', '/api/audit?trace_id=%00']) {
      const res = await t.request(url)
      expect(res.status, url).toBe(400)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
    }
  })
})
