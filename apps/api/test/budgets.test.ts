// Budgets (CRUD, validation, roles, project isolation), GET /api/policy (the @tollgate/policy shape,
// spend per scope and window equal to the deduplicated raw spans, another project never counted) and
// the circuit-breaker reports. Real engines; the instance key acts as admin of the default project, a
// project key as a viewer, an admin JWT as the admin of another project.
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Policy } from '@tollgate/policy'
import { insertSpanRows, pgSchema, runQuery, SpanRow } from '@tollgate/store'
import { ids, ingest, json, span, startTestApp, type TestApp } from './harness.js'

const ADMIN = 'budgets-test-instance-key-0123456789'
const SECRET = 'budgets-test-jwt-secret-0123456789abcdef'
const admin = { 'x-api-key': ADMIN }
let t: TestApp
let viewer: Record<string, string>
let otherAdmin: Record<string, string>
let otherProject: string

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await t.request(path, init)
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}
const send = (method: string, path: string, body: unknown, headers: Record<string, string> = admin) =>
  call(path, { ...json(body, headers), method })
const get = (path: string, headers: Record<string, string> = admin) => call(path, { headers })

beforeAll(async () => {
  t = await startTestApp({ API_KEY: ADMIN, JWT_SECRET: SECRET, POLICY_CACHE_TTL_MS: '0', DATA_RETENTION_DAYS: '90' })
  otherProject = String((await send('POST', '/api/projects', { name: 'other' })).body.id)
  const key = await send('POST', '/api/projects/default/keys', { scopes: ['ingest', 'read'] })
  viewer = { 'x-api-key': String(key.body.key) }
  const token = await new SignJWT({ role: 'admin', project_id: otherProject })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('other-admin')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET))
  otherAdmin = { authorization: `Bearer ${token}` }
})
afterAll(() => t.close())

describe('budgets CRUD', () => {
  it('round trips: create, list, read, patch, delete', async () => {
    const created = await send('POST', '/api/budgets', {
      name: 'org monthly',
      limit_usd: 100,
      thresholds: [
        { percent: 50, action: 'alert' },
        { percent: 80, action: 'degrade', degrade_to: 'gpt-4o-mini' },
        { percent: 95, action: 'throttle', delay_ms: 2000 },
      ],
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      name: 'org monthly',
      scope: 'global',
      window: 'month',
      limit_usd: 100,
      limit_tokens: null,
      limit_action: 'block',
      enabled: true,
      thresholds: [
        { percent: 50, action: 'alert' },
        { percent: 80, action: 'degrade', degrade_to_model: 'gpt-4o-mini' },
        { percent: 95, action: 'throttle', throttle_ms: 2000 },
        { percent: 100, action: 'block' },
      ],
    })
    const id = String(created.body.id)
    expect((await get('/api/budgets')).body.budgets).toContainEqual(created.body)
    expect((await get(`/api/budgets/${id}`)).body).toEqual(created.body)

    const patched = await send('PATCH', `/api/budgets/${id}`, { enabled: false, limit_action: 'alert' })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({
      enabled: false,
      limit_action: 'alert',
      thresholds: expect.arrayContaining([{ percent: 100, action: 'alert' }]),
    })
    expect((patched.body.thresholds as unknown[]).length).toBe(4)
    expect((await get('/api/policy')).body.budgets).not.toContainEqual(expect.objectContaining({ id }))

    expect((await call(`/api/budgets/${id}`, { method: 'DELETE', headers: admin })).status).toBe(204)
    expect((await get(`/api/budgets/${id}`)).status).toBe(404)
    expect((await call(`/api/budgets/${id}`, { method: 'DELETE', headers: admin })).status).toBe(404)
    expect((await send('PATCH', `/api/budgets/${id}`, { enabled: true })).status).toBe(404)
  })

  it.each([
    [{ name: 'x' }, 'limit_usd'],
    [{ name: 'x', limit_usd: -1 }, 'limit_usd'],
    [{ name: 'x', limit_usd: 1, scope: 'tenant' }, 'scope_value'],
    [{ name: 'x', limit_usd: 1, scope: 'tag', scope_value: 'v' }, 'tag_key'],
    [{ name: 'x', limit_usd: 1, window: 'fortnight' }, 'window'],
    [{ name: 'x', limit_usd: 1, thresholds: [{ percent: 80, action: 'degrade' }] }, 'degrade_to_model'],
    [{ name: 'x', limit_usd: 1, colour: 'red' }, 'colour'],
    [{ limit_usd: 1 }, 'name'],
  ])('%j → 400 naming %s', async (body, field) => {
    const res = await send('POST', '/api/budgets', body)
    expect(res.status).toBe(400)
    expect(String(res.body.detail)).toContain(field)
  })

  it('a patch that breaks a cross-field rule is refused and changes nothing', async () => {
    const { body } = await send('POST', '/api/budgets', {
      name: 'tenant',
      scope: 'tenant',
      scope_value: 'acme',
      limit_usd: 5,
    })
    const res = await send('PATCH', `/api/budgets/${String(body.id)}`, { scope_value: null })
    expect(res.status).toBe(400)
    expect(String(res.body.detail)).toContain('scope_value')
    expect((await get(`/api/budgets/${String(body.id)}`)).body).toEqual(body)
  })

  it('a viewer reads but cannot mutate; another project sees 404 and its own list only', async () => {
    const { body } = await send('POST', '/api/budgets', { name: 'mine', limit_usd: 5 })
    const id = String(body.id)
    expect((await get('/api/budgets', viewer)).body.budgets).toContainEqual(body)
    expect((await send('POST', '/api/budgets', { name: 'v', limit_usd: 1 }, viewer)).status).toBe(403)
    expect((await send('PATCH', `/api/budgets/${id}`, { enabled: false }, viewer)).status).toBe(403)
    expect((await call(`/api/budgets/${id}`, { method: 'DELETE', headers: viewer })).status).toBe(403)

    expect((await get(`/api/budgets/${id}`, otherAdmin)).status).toBe(404)
    expect((await send('PATCH', `/api/budgets/${id}`, { enabled: false }, otherAdmin)).status).toBe(404)
    expect((await call(`/api/budgets/${id}`, { method: 'DELETE', headers: otherAdmin })).status).toBe(404)
    expect((await get('/api/budgets', otherAdmin)).body.budgets).toEqual([])
    expect((await get('/api/policy', otherAdmin)).body.budgets).toEqual([])
    expect((await get(`/api/budgets/${id}`)).body).toEqual(body)
  })
})

describe('GET /api/policy', () => {
  const HOUR = 3_600_000
  const now = Date.now()
  const run = `run-${now}`

  it('answers the shared Policy schema with spend per scope and window equal to the raw spans', async () => {
    // Spans over the last 40 days (so month, day, hour and both rolling windows differ), three tenants,
    // two agents; every third redelivered; the other project holds a copy of all of them.
    const sent: Record<string, unknown>[] = []
    for (let i = 0; i < 60; i++) {
      const { traceId, spanId } = ids()
      const at = now - Math.floor((i * i * 997 * 1000) % (40 * 24 * HOUR)) - 1000
      sent.push(
        span({
          trace_id: traceId,
          span_id: spanId(1),
          start_time: new Date(at).toISOString(),
          end_time: new Date(at + 500).toISOString(),
          agent: { id: `agent-${i % 2}`, name: `Agent ${i % 2}` },
          tags:
            i % 4 === 3
              ? { run, tenant_id: 'acme' }
              : { run, tenant: ['acme', 'globex', 'initech'][i % 3] ?? '', feature: 'chat' },
          usage: { input_tokens: 1000 + i, output_tokens: 100 + i },
          cost: { input_usd: 0.01 * (i + 1), output_usd: 0.001 },
        }),
      )
    }
    expect((await ingest(t, sent, admin)).status).toBe(202)
    expect(
      (
        await ingest(
          t,
          sent.filter((_, i) => i % 3 === 0),
          admin,
        )
      ).status,
    ).toBe(202)
    const rows = await runQuery(t.deps.ch, {
      name: 'test.truth',
      query: `SELECT * FROM ${t.deps.ch.table('spans')} FINAL WHERE project_id = 'default' AND tags['run'] = {run:String}`,
      params: { run },
      schema: SpanRow,
    })
    expect(rows.length).toBe(60)
    await insertSpanRows(
      t.deps.ch,
      rows.map((r) => ({ ...r, project_id: otherProject })),
    )

    const budgets = [
      { name: 'all month', scope: 'global', window: 'month', limit_usd: 1000 },
      { name: 'all day', scope: 'global', window: 'day', limit_tokens: 1_000_000 },
      { name: 'hour', scope: 'global', window: 'hour', limit_usd: 1000 },
      { name: 'acme 24h', scope: 'tenant', scope_value: 'acme', window: 'rolling_24h', limit_usd: 1000 },
      { name: 'agent by name 1h', scope: 'agent', scope_value: 'Agent 1', window: 'rolling_1h', limit_usd: 1000 },
      { name: 'agent by id month', scope: 'agent', scope_value: 'agent-0', window: 'month', limit_usd: 1000 },
      { name: 'feature', scope: 'feature', scope_value: 'chat', window: 'rolling', limit_usd: 1000 },
      { name: 'run tag', scope: 'tag', tag_key: 'run', scope_value: run, window: 'month', limit_usd: 1000 },
    ]
    const created: string[] = []
    for (const b of budgets) {
      const res = await send('POST', '/api/budgets', b)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      created.push(String(res.body.id))
    }
    const res = await t.request('/api/policy', { headers: admin })
    expect(res.status).toBe(200)
    const policyNow = Date.now()
    const body: unknown = await res.json()
    const policy = Policy.parse(body)
    expect(policy.poll_interval_s).toBeGreaterThan(0)

    const d = new Date(policyNow)
    const starts: Record<string, number> = {
      month: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
      day: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()),
      hour: Math.floor(policyNow / HOUR) * HOUR,
      rolling_24h: policyNow - 24 * HOUR,
      rolling: policyNow - 24 * HOUR,
      rolling_1h: policyNow - HOUR,
    }
    const at = (r: SpanRow) => Date.parse(`${r.start_time.replace(' ', 'T')}Z`)
    const match: Record<string, (r: SpanRow) => boolean> = {
      'all month': () => true,
      'all day': () => true,
      hour: () => true,
      'acme 24h': (r) => (r.tags.tenant ?? r.tags.tenant_id) === 'acme',
      'agent by name 1h': (r) => r.agent_name === 'Agent 1',
      'agent by id month': (r) => r.agent_id === 'agent-0',
      feature: (r) => r.tags.feature === 'chat',
      'run tag': () => true,
    }
    for (const [i, b] of budgets.entries()) {
      const got = policy.budgets.find((p) => p.id === created[i])
      expect(got, b.name).toBeDefined()
      const mine = rows.filter((r) => match[b.name]?.(r) && at(r) >= (starts[b.window] ?? 0) && at(r) <= policyNow)
      const usd = mine.reduce((a, r) => a + r.cost_total_usd, 0)
      const tokens = mine.reduce((a, r) => a + r.input_tokens + r.output_tokens, 0)
      expect(got?.spent_usd, b.name).toBeCloseTo(usd, 9)
      expect(got?.spent_tokens, b.name).toBe(tokens)
      if (['month', 'day', 'hour'].includes(b.window)) expect(got?.window_ends_at).toBeDefined()
      else expect(got?.window_ends_at).toBeUndefined()
    }
    // The month budget has real spend to compare (the fixture is not all in the current hour).
    expect(policy.budgets.find((p) => p.id === created[0])?.spent_usd).toBeGreaterThan(0)
    for (const id of created)
      expect((await call(`/api/budgets/${id}`, { method: 'DELETE', headers: admin })).status).toBe(204)
  })
})

describe('circuit breakers', () => {
  const transition = (to: string, from: string, timestamp: string, process_id = 'proc-1') => ({
    scope: 'agent',
    scope_id: 'planner',
    name: 'planner',
    event: to === 'OPEN' ? 'triggered' : 'reset',
    from,
    to,
    reason: 'cost_limit',
    timestamp,
    snapshot: { cost_usd: 1.5 },
    sdk: { name: '@tollgate/sdk', version: '0.1.0' },
    process_id,
  })

  it('keeps the latest state per breaker and process and audits every transition', async () => {
    const t0 = Date.now()
    expect(
      (await send('POST', '/api/circuit-breaker/state', transition('OPEN', 'CLOSED', new Date(t0).toISOString())))
        .status,
    ).toBe(201)
    expect(
      (
        await send(
          'POST',
          '/api/circuit-breaker/state',
          transition('OPEN', 'CLOSED', new Date(t0).toISOString(), 'proc-2'),
        )
      ).status,
    ).toBe(201)
    expect(
      (
        await send(
          'POST',
          '/api/circuit-breaker/state',
          transition('CLOSED', 'OPEN', new Date(t0 + 1000).toISOString()),
        )
      ).status,
    ).toBe(201)
    // A late report of an earlier transition is audited but does not replace the newer state.
    expect(
      (
        await send(
          'POST',
          '/api/circuit-breaker/state',
          transition('OPEN', 'CLOSED', new Date(t0 - 5000).toISOString()),
        )
      ).status,
    ).toBe(201)

    const status = await get('/api/circuit-breaker/status')
    expect(status.status).toBe(200)
    expect(status.body.breakers).toEqual([
      expect.objectContaining({ scope: 'agent', scope_id: 'planner', process_id: 'proc-1', state: 'CLOSED' }),
      expect.objectContaining({ scope: 'agent', scope_id: 'planner', process_id: 'proc-2', state: 'OPEN' }),
    ])
    expect(status.body.open).toBe(1)
    const audit = await t.deps.pg.db.select().from(pgSchema.circuitEvents)
    expect(
      audit.filter((e) => e.projectId === 'default').map((e) => `${e.processId} ${e.fromState}→${e.toState}`),
    ).toEqual(['proc-1 CLOSED→OPEN', 'proc-2 CLOSED→OPEN', 'proc-1 OPEN→CLOSED', 'proc-1 CLOSED→OPEN'])
    expect((await get('/api/circuit-breaker/status', otherAdmin)).body).toEqual({ breakers: [], open: 0 })
  })

  it('refuses a malformed report', async () => {
    const res = await send('POST', '/api/circuit-breaker/state', { scope: 'agent', from: 'CLOSED' })
    expect(res.status).toBe(400)
    expect(String(res.body.detail)).toMatch(/event|to/)
  })
})
