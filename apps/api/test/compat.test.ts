// The compatibility doors with the bodies the published clients send (wire-formats reference §7):
// instrumentation-sdk POST /v1/spans, tokenome POST /v1/events/batch, aden's control plane
// (/v1/control/events, /v1/control/policy, /v1/control/budget/validate, /tsdb/pricing) and
// agentwatch's doubled-prefix alert path; auth scopes; the aden policy is the GET /api/policy budgets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPricer, priceCatalog, type SpanView } from '@tollgate/core'
import { json, startTestApp, type TestApp } from './harness.js'

const ADMIN = 'compat-admin-key-0123456789abcdef'
let t: TestApp
let ingestKey: Record<string, string>
let readKey: Record<string, string>
let otherKey: Record<string, string>
const admin = { 'x-api-key': ADMIN }

/** JSON answers, with the fields these tests read typed (the rest is checked with toMatchObject). */
interface Body {
  [key: string]: unknown
  spans: SpanView[]
  key: string
  id: string
  accepted: number
  rejected: unknown
  version: string
  budgets: Array<{ id: string; spent_usd: number }>
  pricing: Record<string, { aliases: string[] }>
  created_at: string
  events: unknown[]
  paths: Record<string, Record<string, unknown>>
}

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Body; headers: Headers }> {
  const res = await t.request(path, init)
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Body, headers: res.headers }
}
const post = (path: string, body: unknown, headers: Record<string, string>) => call(path, json(body, headers))
const get = (path: string, headers: Record<string, string>) => call(path, { headers })
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function spansOf(traceId: string, n: number, headers = admin): Promise<SpanView[]> {
  const until = Date.now() + 20_000
  for (;;) {
    const res = await get(`/api/traces/${traceId}/spans`, headers)
    if (res.status === 200 && (res.body.spans.length >= n || Date.now() > until)) return res.body.spans
    if (res.status !== 200 && Date.now() > until) return []
    await sleep(100)
  }
}

beforeAll(async () => {
  t = await startTestApp({ API_KEY: ADMIN, POLICY_CACHE_TTL_MS: '0' })
  const key = async (scopes: string[], project = 'default') => ({
    'x-api-key': String((await post(`/api/projects/${project}/keys`, { scopes }, admin)).body.key),
  })
  ingestKey = await key(['ingest'])
  readKey = await key(['read'])
  const other = String((await post('/api/projects', { name: 'other' }, admin)).body.id)
  otherKey = await key(['ingest', 'read'], other)
})
afterAll(() => t.close())

const iso = (msAgo: number): string => new Date(Date.now() - msAgo).toISOString()
const uuid = (): string => crypto.randomUUID()
const hexOf = (u: string): string => u.replace(/-/g, '')

describe('instrumentation-sdk: POST /v1/spans', () => {
  const llmSpan = (patch: Record<string, unknown> = {}) => ({
    span_id: uuid(),
    trace_id: uuid(),
    parent_span_id: null,
    schema_version: 1,
    model: 'gpt-4o-mini',
    provider: 'openai',
    service_name: 'checkout-service',
    endpoint: '/api/summarize',
    environment: 'production',
    user_id: 'u_123',
    session_id: 's_1',
    prompt_tokens: 1000,
    completion_tokens: 100,
    latency_ms_ttft: 120,
    latency_ms_total: 850,
    finish_reason: 'stop',
    cost_usd_micro: 0,
    price_version: '2025-01-15',
    token_count_method: 'tiktoken',
    is_sampled: false,
    retry_count: 0,
    attempted_models: ['gpt-4o-mini'],
    pii_detected: true,
    injection_attempt: false,
    timestamp_utc: iso(5000),
    prompt_hash: null,
    prompt_embedding: null,
    response_embedding: null,
    ...patch,
  })

  it('one span: stored with its fields, priced when cost_usd_micro is 0, client flags kept', async () => {
    const s = llmSpan()
    const res = await post('/v1/spans', s, ingestKey)
    expect(res.status).toBe(202)
    expect(res.body).toEqual({ success: true, accepted: 1, rejected: [] })
    const [stored] = await spansOf(hexOf(s.trace_id), 1)
    expect(stored).toMatchObject({
      span_id: hexOf(s.span_id).slice(0, 16),
      provider: 'openai',
      model: 'gpt-4o-mini',
      user_id: 'u_123',
      session_id: 's_1',
      ttft_ms: 120,
      duration_ms: 850,
      cost_status: 'computed',
      source: 'instrumentation-sdk',
      tags: { 'service.name': 'checkout-service', endpoint: '/api/summarize', environment: 'production' },
    })
    expect(stored?.cost?.total_usd).toBeCloseTo((1000 * 0.15 + 100 * 0.6) / 1e6, 12)
    expect(stored?.attributes).toMatchObject({ 'client.pii_detected': true, 'client.injection_attempt': false })
  })

  it('a list: a reported cost is kept, a span that can never be stored is listed; none storable → 400', async () => {
    const traceId = uuid()
    const good = llmSpan({ trace_id: traceId, cost_usd_micro: 4200 })
    const bad = llmSpan({ trace_id: traceId, timestamp_utc: 'not a time' })
    const res = await post('/v1/spans', [good, bad], ingestKey)
    expect(res.status).toBe(202)
    expect(res.body.accepted).toBe(1)
    expect(res.body.rejected).toEqual([{ index: 1, error: expect.stringMatching(/timestamp_utc/) }])
    const [stored] = await spansOf(hexOf(traceId), 1)
    expect(stored).toMatchObject({ cost_status: 'reported', cost: { total_usd: 0.0042 } })
    const none = await post('/v1/spans', [bad], ingestKey)
    expect(none.status).toBe(400)
    expect(none.headers.get('content-type')).toMatch(/problem\+json/)
  })
})

describe('tokenome: POST /v1/events/batch', () => {
  const event = (patch: Record<string, unknown> = {}, at = Date.now()) => ({
    event_id: `evt_${uuid().replace(/-/g, '')}`,
    event_type: 'request',
    provider: 'openai',
    provider_sdk: 'openai-python',
    model: 'gpt-4o-mini-2024-07-18',
    operation: 'chat.completions.create',
    request_mode: 'sync',
    // One clock reading for both: two could straddle a millisecond (duration 501 ms, seen once).
    request_started_at: new Date(at - 3000).toISOString(),
    response_completed_at: new Date(at - 2500).toISOString(),
    latency_ms: 500,
    status: 'success',
    cost_status: 'final',
    total_tokens: 1100,
    input_tokens: 1000,
    output_tokens: 100,
    route: '/chat',
    feature: 'support',
    environment: 'prod',
    project_id: 'tk-proj',
    user_id_hash: 'f'.repeat(64),
    session_id: 'sess-9',
    tags: { team: 'growth' },
    raw_usage_json: { prompt_tokens: 1000, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 400 } },
    extra: {},
    ...patch,
  })
  const batch = (events: unknown[]) => ({
    batch_id: `batch_${uuid().replace(/-/g, '').slice(0, 16)}`,
    sdk: { language: 'python', version: '0.1.0' },
    events,
  })
  const bearer = (h: Record<string, string>) => ({ authorization: `Bearer ${h['x-api-key']}` })

  it('one span per event with cached tokens from raw_usage_json; a redelivered batch is stored once', async () => {
    const e = event()
    const body = batch([e])
    const res = await post('/v1/events/batch', body, bearer(ingestKey))
    expect(res.status).toBe(202)
    expect(res.body).toEqual({ batch_id: body.batch_id, accepted: 1, rejected: [] })
    expect((await post('/v1/events/batch', body, bearer(ingestKey))).status).toBe(202)
    const traceId = e.event_id.slice(4)
    await sleep(500)
    const spans = await spansOf(traceId, 1)
    expect(spans).toHaveLength(1)
    expect(spans[0]).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      user_id: 'f'.repeat(64),
      session_id: 'sess-9',
      duration_ms: 500,
      source: 'tokenome',
      tags: { team: 'growth', route: '/chat', feature: 'support', environment: 'prod', project_id: 'tk-proj' },
      usage: expect.objectContaining({ input_tokens: 1000, output_tokens: 100, cache_read_tokens: 400 }),
    })
    expect(spans[0]?.cost?.total_usd).toBeCloseTo((600 * 0.15 + 400 * 0.075 + 100 * 0.6) / 1e6, 12)
  })

  it('400 only when no event can ever be stored (tokenome drops the batch on 400)', async () => {
    const partial = await post('/v1/events/batch', batch([event(), { event_id: 7 }]), bearer(ingestKey))
    expect(partial.status).toBe(202)
    expect(partial.body.rejected).toEqual([{ index: 1, error: expect.stringMatching(/event_id/) }])
    expect((await post('/v1/events/batch', batch([{ nope: true }]), bearer(ingestKey))).status).toBe(400)
    expect((await post('/v1/events/batch', { events: 'x' }, bearer(ingestKey))).status).toBe(400)
    // An empty batch is acknowledged: nothing in it is lost.
    expect((await post('/v1/events/batch', batch([]), bearer(ingestKey))).status).toBe(202)
  })
})

describe('aden: the control plane', () => {
  const metric = (patch: Record<string, unknown> = {}) => ({
    data: {
      trace_id: uuid(),
      span_id: uuid(),
      parent_span_id: null,
      request_id: 'chatcmpl-1',
      provider: 'openai',
      model: 'gpt-4o-mini',
      stream: false,
      timestamp: new Date().toISOString().replace('Z', '+00:00'),
      latency_ms: 320.5,
      status_code: null,
      error: null,
      input_tokens: 2_000_000,
      output_tokens: 1000,
      total_tokens: 2_001_000,
      cached_tokens: 0,
      reasoning_tokens: 0,
      input_cost: null,
      output_cost: null,
      total_cost: null,
      currency: null,
      agent_stack: ['Researcher'],
      agent_name: 'Researcher',
      metadata: { tenant_id: 'acme', feature: 'search' },
      ...patch,
    },
    event_type: 'metric',
    timestamp: new Date().toISOString(),
    sdk_instance_id: uuid(),
    agent_name: '',
  })
  const bearer = (h: Record<string, string>) => ({
    authorization: `Bearer ${h['x-api-key']}`,
    'x-sdk-instance-id': uuid(),
  })

  it('metric events → spans (server-side cost), control events → alert history, heartbeats ignored; exactly 200', async () => {
    const m = metric()
    const control = {
      trace_id: uuid(),
      span_id: uuid(),
      provider: 'openai',
      original_model: 'gpt-4o',
      action: 'block',
      event_type: 'control',
      timestamp: new Date().toISOString(),
      sdk_instance_id: uuid(),
      context_id: null,
      reason: "Budget 'b1' exceeded",
      degraded_to: null,
      budget_id: 'b1',
    }
    const heartbeat = { status: 'healthy', event_type: 'heartbeat', timestamp: new Date().toISOString() }
    const res = await post('/v1/control/events', { events: [heartbeat, m, control] }, bearer(ingestKey))
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ accepted: 1, rejected: [], control: 1, ignored: 1 })
    const [span] = await spansOf(hexOf(m.data.trace_id), 1)
    expect(span).toMatchObject({
      span_id: hexOf(m.data.span_id).slice(0, 16),
      model: 'gpt-4o-mini',
      agent: expect.objectContaining({ name: 'Researcher' }),
      tags: { tenant_id: 'acme', feature: 'search' },
      cost_status: 'computed',
      source: 'aden',
    })
    const history = await get('/api/alerts/history', admin)
    expect(history.body.events).toContainEqual(
      expect.objectContaining({
        kind: 'sdk',
        details: expect.objectContaining({ source: 'aden', action: 'block', budget_id: 'b1' }),
      }),
    )
    const bad = await post('/v1/control/events', { events: [metric({ timestamp: 'never' })] }, bearer(ingestKey))
    expect(bad.status).toBe(200)
    expect(bad.body.rejected).toEqual([{ index: 0, error: expect.stringMatching(/timestamp/) }])
  })

  it('GET /v1/control/policy renders the GET /api/policy budgets with the same live spend', async () => {
    const budget = async (body: Record<string, unknown>) => String((await post('/api/budgets', body, admin)).body.id)
    const tenant = await budget({ name: 'globex monthly', scope: 'tenant', scope_value: 'globex', limit_usd: 0.5 })
    const global = await budget({
      name: 'org',
      limit_usd: 1000,
      thresholds: [
        { percent: 80, action: 'alert' },
        { percent: 100, action: 'degrade', degrade_to_model: 'gpt-4o-mini' },
      ],
    })
    await budget({ name: 'tokens only', limit_tokens: 1e9 })
    // 2M input tokens of gpt-4o-mini ≈ $0.30 against the tenant's $0.50.
    const m = metric({ metadata: { tenant_id: 'globex' } })
    expect((await post('/v1/control/events', { events: [m] }, bearer(ingestKey))).status).toBe(200)
    await spansOf(hexOf(m.data.trace_id), 1)

    // Spans of the tests before may still be draining into the store: the global spend can grow
    // between two reads, so aden's figure is checked to lie between a read before and one after.
    const ours = (await get('/api/policy', ingestKey)).body
    const aden = await get('/v1/control/policy', bearer(ingestKey))
    const oursAfter = (await get('/api/policy', ingestKey)).body
    expect(aden.status).toBe(200)
    expect(aden.body).toMatchObject({ version: ours.version, throttles: [], blocks: [], degradations: [], alerts: [] })
    expect(aden.body.budgets).toHaveLength(2)
    const spentOf = (id: string) => ours.budgets.find((b) => b.id === id)?.spent_usd ?? NaN
    expect(spentOf(tenant)).toBeCloseTo(0.3006, 9)
    expect(aden.body.budgets).toContainEqual({
      id: tenant,
      type: 'tenant',
      name: 'globex',
      limit: 0.5,
      spent: spentOf(tenant),
      limitAction: 'block',
      degradeToModel: null,
      degradeToProvider: null,
      tags: null,
    })
    const globalSpent = (b: { budgets: Array<{ id: string; spent_usd?: number; spent?: number }> }) => {
      const entry = b.budgets.find((x) => x.id === global)
      return entry?.spent_usd ?? entry?.spent ?? NaN
    }
    expect(aden.body.budgets).toContainEqual(
      expect.objectContaining({
        id: global,
        type: 'global',
        name: 'org',
        limit: 1000,
        limitAction: 'degrade',
        degradeToModel: 'gpt-4o-mini',
      }),
    )
    // Read at three moments, each summed in its own order (rollup hours + raw partial hours): equal
    // amounts may differ in the last bit, so the bounds allow 1e-9 dollars.
    expect(globalSpent(aden.body)).toBeGreaterThanOrEqual(globalSpent(ours) - 1e-9)
    expect(globalSpent(aden.body)).toBeLessThanOrEqual(globalSpent(oursAfter) + 1e-9)
    expect(globalSpent(ours)).toBeGreaterThanOrEqual(spentOf(tenant) - 1e-9)

    const validate = (budget_id: string, estimated_cost: number) =>
      post('/v1/control/budget/validate', { budget_id, estimated_cost, local_spend: 0 }, bearer(ingestKey))
    const ok = await validate(tenant, 0)
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({
      allowed: true,
      action: 'allow',
      authoritative_spend: spentOf(tenant),
      updated_spend: spentOf(tenant),
      budget_limit: 0.5,
    })
    const over = await validate(tenant, 1)
    expect(over.body).toMatchObject({ allowed: false, action: 'block' })
    expect((await validate('no-such-budget', 0)).status).toBe(404)
    // Another project sees none of these budgets.
    expect((await get('/v1/control/policy', otherKey)).body.budgets).toEqual([])
  })

  it('GET /tsdb/pricing lists the prices the pricer bills with, USD per million tokens', async () => {
    const res = await get('/tsdb/pricing', bearer(ingestKey))
    expect(res.status).toBe(200)
    expect(res.body.pricing['gpt-4o-mini']).toMatchObject({ input: 0.15, output: 0.6, cached_input: 0.075 })
    expect(res.body.pricing['gpt-4o-mini']?.aliases).toContain('gpt-4o-mini-2024-07-18')
    expect(res.body.pricing).toEqual(priceCatalog(createPricer()))
  })
})

describe('agentwatch alerts and auth', () => {
  it('POST /api/api/alerts/sdk-alert takes the published body (integer current, float epoch seconds) with an ingest key', async () => {
    const alert = {
      scope: 'global',
      scope_id: 'default',
      reason: 'Hourly budget exceeded',
      threshold: 5.0,
      current: 0,
      blocked: false,
      timestamp: Date.now() / 1000,
    }
    const res = await post('/api/api/alerts/sdk-alert', alert, ingestKey)
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ kind: 'sdk', value: 0, threshold: 5 })
    expect(Math.abs(Date.parse(res.body.created_at) - alert.timestamp * 1000)).toBeLessThan(1000)
  })

  it.each([
    ['POST', '/v1/traces'],
    ['POST', '/v1/spans'],
    ['POST', '/v1/events/batch'],
    ['POST', '/v1/control/events'],
  ])('%s %s needs the ingest scope', async (method, path) => {
    expect((await call(path, { method, headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401)
    expect(
      (await call(path, { method, headers: { ...readKey, 'content-type': 'application/json' }, body: '{}' })).status,
    ).toBe(403)
    expect(
      (await call(path, { method, headers: { ...ingestKey, 'content-type': 'application/json' }, body: '{}' })).status,
    ).not.toBe(403)
  })

  it.each(['/v1/control/policy', '/tsdb/pricing'])('GET %s with the ingest key or a read key', async (path) => {
    expect((await get(path, ingestKey)).status).toBe(200)
    expect((await get(path, readKey)).status).toBe(200)
    expect((await get(path, {})).status).toBe(401)
  })
})

describe('the OpenAPI document', () => {
  it('declares every door with its methods', async () => {
    const doc = (await get('/openapi.json', {})).body
    for (const [method, path] of [
      ['post', '/v1/traces'],
      ['post', '/v1/spans'],
      ['post', '/v1/events/batch'],
      ['post', '/v1/control/events'],
      ['get', '/v1/control/policy'],
      ['post', '/v1/control/budget/validate'],
      ['get', '/tsdb/pricing'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toMatchObject({ summary: expect.any(String) })
    }
  })
})
