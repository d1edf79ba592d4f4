// Cross-project access to every resource type, route by route. Project A holds one of everything (a
// trace with an embedded prompt, a budget, an alert rule, an SDK alert, a breaker report, a scan policy,
// a signed report and its audit entries, a key); project B, with its read key and with an admin JWT,
// calls every route the app serves with A's ids. Each route must be classified here, so a route added
// later fails this file until someone decides what it may show another project.
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WEB_PATHS } from '../src/auth/policy.js'
import { ids, ingest, json, must, span, startTestApp, type TestApp } from './harness.js'

const ADMIN = 'tenancy-resources-instance-key-0123456789'
const SECRET = 'tenancy-resources-jwt-secret-0123456789abcdef'
const admin = { 'x-api-key': ADMIN }
/** A string only project A's data contains (user, tag, names, prompt, breaker scope, alert message). */
const MARK = `mark${Math.floor(Math.random() * 1e9).toString(36)}`

interface Project {
  id: string
  key: Record<string, string>
  keyId: string
  adminJwt: Record<string, string>
}

let t: TestApp
let a: Project
let b: Project
const { traceId, spanId } = ids()
let budgetId = ''
let ruleId = ''

async function body(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>
}

async function makeProject(name: string): Promise<Project> {
  const project = await body(await t.request('/api/projects', json({ name }, admin)))
  const id = String(project.id)
  const created = await body(await t.request(`/api/projects/${id}/keys`, json({ scopes: ['ingest', 'read'] }, admin)))
  const token = await new SignJWT({ role: 'admin', project_id: id })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`${name}-admin`)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET))
  return {
    id,
    key: { 'x-api-key': String(created.key) },
    keyId: String(created.id),
    adminJwt: { authorization: `Bearer ${token}` },
  }
}

const send = (method: string, path: string, payload: unknown, headers: Record<string, string>) =>
  t.request(path, { ...json(payload, headers), method })

beforeAll(async () => {
  t = await startTestApp({
    API_KEY: ADMIN,
    JWT_SECRET: SECRET,
    EMBEDDING_SAMPLE_RATE: '1',
    POLICY_CACHE_TTL_MS: '0',
    RATE_LIMIT_KEY_PER_S: '0',
    RATE_LIMIT_PROJECT_PER_S: '0',
  })
  a = await makeProject('a')
  b = await makeProject('b')

  const spans = [
    span({
      trace_id: traceId,
      span_id: spanId(1),
      user_id: `${MARK}-user`,
      session_id: `${MARK}-session`,
      agent: { id: `${MARK}-agent`, name: `${MARK}-agent` },
      tags: { team: `${MARK}-team` },
      input: `Summarise the ${MARK} quarterly report for the board`,
      cost: { total_usd: 0.25 },
    }),
    span({ trace_id: traceId, span_id: spanId(2), parent_span_id: spanId(1), user_id: `${MARK}-user` }),
  ]
  expect((await ingest(t, { spans }, a.key)).status).toBe(202)

  const budget = await send('POST', '/api/budgets', { name: `${MARK}-budget`, limit_usd: 100 }, a.adminJwt)
  expect(budget.status).toBe(201)
  budgetId = String((await body(budget)).id)
  const rule = await send(
    'POST',
    '/api/alerts',
    { name: `${MARK}-rule`, condition: 'cost_per_hour', threshold: 5, action_type: 'email' },
    a.adminJwt,
  )
  expect(rule.status).toBe(201)
  ruleId = String((await body(rule)).id)
  const sdkAlert = {
    scope: 'agent',
    scope_id: `${MARK}-agent`,
    reason: 'cost_limit',
    message: `${MARK} over budget`,
    threshold: 1,
    current: 1.5,
    blocked: true,
    timestamp: new Date().toISOString(),
  }
  expect((await send('POST', '/api/alerts/sdk-alert', sdkAlert, a.key)).status).toBe(201)
  const transition = {
    scope: 'agent',
    scope_id: `${MARK}-agent`,
    name: `${MARK}-agent`,
    event: 'triggered',
    from: 'CLOSED',
    to: 'OPEN',
    reason: 'cost_limit',
    timestamp: new Date().toISOString(),
    process_id: `${MARK}-process`,
  }
  expect((await send('POST', '/api/circuit-breaker/state', transition, a.key)).status).toBe(201)
  expect((await send('PUT', '/api/scan/policy', { pii_policy: 'keep' }, a.adminJwt)).status).toBe(200)
  // A signed report: its signature row and audit entries belong to A.
  expect((await t.request(`/api/traces/${traceId}/compliance-report`, { headers: a.adminJwt })).status).toBe(200)
  // The prompt is embedded after the 202: wait (bounded) until A's similar-prompts answer is done.
  for (let i = 0; ; i++) {
    const res = await t.request(`/api/spans/${spanId(1)}/similar`, { headers: a.key })
    if (res.status === 200 && (await body(res)).embedding_status === 'done') break
    if (i > 200) throw new Error('the span was not embedded')
    await new Promise((r) => setTimeout(r, 100))
  }
})
afterAll(() => t.close())

/** Everything of A's that must never appear in an answer to B. */
const secrets = (): string[] => [MARK, traceId, spanId(1), spanId(2), budgetId, ruleId, a.id, a.keyId]
const leaked = (text: string): string[] => secrets().filter((s) => text.includes(s))

/** A route's path with A's ids in its parameters. */
function withAIds(path: string): string {
  return path
    .replace(/^\/api\/traces\/:id/, `/api/traces/${traceId}`)
    .replace(/^\/api\/spans\/:id/, `/api/spans/${spanId(1)}`)
    .replace(/^\/api\/budgets\/:id/, `/api/budgets/${budgetId}`)
    .replace(/^\/api\/alerts\/:id/, `/api/alerts/${ruleId}`)
    .replace(/^\/api\/projects\/:id/, `/api/projects/${a.id}`)
    .replace(/:keyId/, a.keyId)
}

/** Query strings some read routes need before they answer 200. */
const QUERIES = ['', '?key=team', `?month=${new Date().toISOString().slice(0, 7)}`]

/** Routes that hold no project's data, whoever calls them. */
const NO_PROJECT_DATA = new Set([
  'GET /health',
  'GET /api/health',
  'GET /ready',
  'GET /openapi.json',
  'GET /api/reports/keys',
  'GET /tsdb/pricing',
  // Instance counters and latencies: no ids, keys or content (docs/security.md); checked below anyway.
  'GET /metrics',
  // The caller's own cookie.
  'GET /api/session',
  'POST /api/session',
  'DELETE /api/session',
])

/**
 * Writes without an id in the path: they act on the caller's project (the credential's), so B's call
 * lands in B. The ones that could name A's data in the body are tried below with A's ids.
 */
const WRITES_OWN_PROJECT = new Set([
  'POST /api/ingest',
  'POST /v1/traces',
  'POST /v1/spans',
  'POST /v1/events/batch',
  'POST /v1/control/events',
  'POST /v1/control/budget/validate',
  'POST /api/projects',
  'POST /api/budgets',
  'POST /api/alerts',
  'POST /api/alerts/sdk-alert',
  'POST /api/api/alerts/sdk-alert',
  'POST /api/circuit-breaker/state',
  'POST /api/scan',
  'PUT /api/scan/policy',
  'POST /api/reports/verify',
])

function routes(): Array<{ method: string; path: string }> {
  const seen = new Set<string>()
  return t.app.routes
    .filter((r) => r.method !== 'ALL')
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`))
    .map((r) => ({ method: r.method, path: r.path }))
}

const isWeb = (path: string): boolean =>
  WEB_PATHS.test(path.replace(/:\w+/g, 'x')) || path === '/' || path.startsWith('/assets')

describe('another project, route by route', () => {
  it('classifies every route the app serves', () => {
    const unclassified = routes()
      .map(({ method, path }) => `${method} ${path}`)
      .filter((r) => !NO_PROJECT_DATA.has(r) && !WRITES_OWN_PROJECT.has(r))
      .filter((r) => !r.startsWith('GET ') && !r.startsWith('HEAD ') && !/:\w+/.test(r))
      .filter((r) => !isWeb(r.slice(r.indexOf(' ') + 1)))
    expect(unclassified, 'a new write route: decide how it is scoped, then list it here').toEqual([])
  })

  it("never shows A's data to B on any read route, and answers 404 for A's ids", async () => {
    const shownToA = new Set<string>()
    const checked: string[] = []
    for (const { method, path } of routes()) {
      if (method !== 'GET' || NO_PROJECT_DATA.has(`GET ${path}`) || isWeb(path)) continue
      const target = withAIds(path)
      // A's own view, with the first query the route answers 200 to: the control that makes B's check mean something.
      let query: string | undefined
      for (const q of QUERIES) {
        const res = await t.request(target + q, { headers: a.adminJwt })
        expect(res.status, `A: GET ${target}${q}`).toBeLessThan(500)
        if (res.status === 200) {
          query = q
          if (leaked(await res.text()).length > 0) shownToA.add(`GET ${path}`)
          break
        }
      }
      if (query === undefined) throw new Error(`GET ${target} answers A with no 200 to any of ${QUERIES.join(' ')}`)
      checked.push(`GET ${path}`)
      for (const [who, headers] of [
        ['B read key', b.key],
        ['B admin JWT', b.adminJwt],
        ['B naming A', { ...b.key, 'x-project-id': a.id }],
      ] as const) {
        const res = await t.request(target + query, { headers })
        const text = await res.text()
        if (/:\w+/.test(path)) {
          expect(res.status, `${who}: GET ${target}`).toBe(404)
          continue
        }
        expect(res.status, `${who}: GET ${target}${query}`).toBe(200)
        expect(leaked(text), `${who}: GET ${target}${query}`).toEqual([])
      }
      // A project_id parameter never selects a project: refused, or ignored (still B's data).
      const sep = query ? '&' : '?'
      const named = await t.request(`${target}${query}${sep}project_id=${a.id}`, { headers: b.key })
      expect(named.status, `B with project_id: GET ${target}`).toBeLessThan(500)
      if (named.status === 200) expect(leaked(await named.text()), `B with project_id: GET ${target}`).toEqual([])
    }
    // The control: A sees its own data on these, so a leak to B would have been seen.
    expect([...shownToA].sort()).toEqual(
      expect.arrayContaining([
        'GET /api/alerts',
        'GET /api/alerts/history',
        'GET /api/audit',
        'GET /api/budgets',
        'GET /api/budgets/:id',
        'GET /api/circuit-breaker/status',
        'GET /api/cost/by-agent',
        'GET /api/cost/by-tag',
        'GET /api/cost/by-user',
        'GET /api/policy',
        'GET /api/projects',
        'GET /api/projects/:id/keys',
        'GET /api/reports/monthly',
        'GET /api/reports/monthly/csv',
        'GET /api/spans/:id/similar',
        'GET /api/traces',
        'GET /api/traces/:id/compliance-report',
        'GET /api/traces/:id/compliance-score',
        'GET /api/traces/:id/graph',
        'GET /api/traces/:id/spans',
        'GET /v1/control/policy',
      ]),
    )
    expect(checked.length).toBeGreaterThanOrEqual(25)
    // The instance chain of the audit log (readable by any reader) holds configuration only.
    const instance = await t.request('/api/audit?chain=instance', { headers: b.key })
    expect(instance.status).toBe(200)
    expect(leaked(await instance.text())).toEqual([])
  })

  it("answers 404 to B's admin for every write on A's ids, and A's data is unchanged", async () => {
    const payloads: Record<string, unknown> = {
      [`PATCH /api/budgets/:id`]: { enabled: false, name: 'taken' },
      [`PATCH /api/alerts/:id`]: { enabled: false, name: 'taken' },
      [`POST /api/projects/:id/keys`]: { scopes: ['read'] },
    }
    const tried: string[] = []
    for (const { method, path } of routes()) {
      if (method === 'GET' || method === 'HEAD' || !/:\w+/.test(path)) continue
      const res = await send(method, withAIds(path), payloads[`${method} ${path}`] ?? {}, b.adminJwt)
      expect(res.status, `B admin: ${method} ${withAIds(path)}`).toBe(404)
      tried.push(`${method} ${path}`)
    }
    expect(tried).toEqual(
      expect.arrayContaining([
        'PATCH /api/budgets/:id',
        'DELETE /api/budgets/:id',
        'PATCH /api/alerts/:id',
        'DELETE /api/alerts/:id',
        'POST /api/projects/:id/keys',
        'DELETE /api/projects/:id/keys/:keyId',
      ]),
    )
    // Writes that carry no id act on B: B's scan policy, B's budget check.
    expect((await send('PUT', '/api/scan/policy', { pii_policy: 'drop' }, b.adminJwt)).status).toBe(200)
    const validate = await send('POST', '/v1/control/budget/validate', { budget_id: budgetId }, b.key)
    expect(validate.status).toBe(404)
    expect((await send('POST', '/v1/control/budget/validate', { budget_id: budgetId }, a.key)).status).toBe(200)

    // A's budget, rule, key, policy and trace are as they were.
    const budget = await body(await t.request(`/api/budgets/${budgetId}`, { headers: a.adminJwt }))
    expect(budget).toMatchObject({ name: `${MARK}-budget`, enabled: true })
    const rules = JSON.stringify(await body(await t.request('/api/alerts', { headers: a.adminJwt })))
    expect(rules).toContain(`${MARK}-rule`)
    expect(rules).not.toContain('taken')
    expect((await t.request('/api/traces', { headers: a.key })).status).toBe(200)
    const policy = await body(await t.request('/api/scan/policy', { headers: a.adminJwt }))
    expect(policy).toMatchObject({ pii_policy: 'keep' })
    const spans = await body(await t.request(`/api/traces/${traceId}/spans`, { headers: a.key }))
    expect(must(spans.spans as unknown[], 'spans')).toHaveLength(2)
  })

  it("answers B's analytics exactly as an empty project's: A's spans are not counted", async () => {
    const empty = await makeProject('empty')
    const hour = 3600_000
    const from = new Date(Math.floor(Date.now() / hour - 48) * hour).toISOString()
    const to = new Date(Math.floor(Date.now() / hour + 2) * hour).toISOString()
    const analytics = routes()
      .filter((r) => r.method === 'GET' && /^\/api\/(metrics|cost\/)/.test(r.path))
      .map((r) => r.path + (r.path.endsWith('by-tag') ? `?key=team&from=${from}&to=${to}` : `?from=${from}&to=${to}`))
    expect(analytics.length).toBeGreaterThanOrEqual(7)
    for (const path of analytics) {
      const [asA, asB, asEmpty] = await Promise.all(
        [a.key, b.key, empty.key].map(async (headers) => {
          const res = await t.request(path, { headers })
          expect(res.status, path).toBe(200)
          return res.text()
        }),
      )
      expect(asA, `${path}: A's own spans are counted (the control)`).not.toEqual(asEmpty)
      expect(asB, path).toEqual(asEmpty)
    }
  })

  it('shows B only counters on /metrics, never an id or a name of A', async () => {
    const res = await t.request('/metrics', { headers: b.adminJwt })
    expect(res.status).toBe(200)
    expect(leaked(await res.text())).toEqual([])
  })
})
