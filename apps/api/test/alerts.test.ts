// Alert rules: CRUD and validation (roles, another project's rule 404), the evaluator driven with an
// injected clock against real ClickHouse spans — each condition fires once per cooldown and resolves,
// notifications reach a receiver on 127.0.0.1 (signed generic webhook, Slack-compatible body), a target
// that is down fails after its retries without stopping evaluation, two evaluators at once fire once —
// and SDK-side alerts stored in the history and forwarded to ALERT_WEBHOOK_URL.
import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAlertEvaluator, insertSpanRows, runQuery, SpanRow } from '@tollgate/store'
import { ids, ingest, json, span, startTestApp, type TestApp } from './harness.js'

const ADMIN = 'alerts-test-instance-key-0123456789'
const SECRET = 'alerts-test-jwt-secret-0123456789abcdef'
const SIGNING = 'alerts-webhook-signing-secret'
const admin = { 'x-api-key': ADMIN }
let t: TestApp
let viewer: Record<string, string>
let otherAdmin: Record<string, string>
let receiver: Server
let base = ''
const received: {
  path: string
  signature: string | undefined
  authorization: string | undefined
  raw: string
  body: Record<string, unknown>
}[] = []
/** Paths whose first N requests the receiver answers 503 (a flaky target, retried with backoff). */
const flaky = new Map<string, number>()
const RESEND_KEY = 're_test_alerts_key'

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await t.request(path, init)
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}
const send = (method: string, path: string, body: unknown, headers: Record<string, string> = admin) =>
  call(path, { ...json(body, headers), method })

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let raw = ''
    req.on('data', (c: Buffer) => (raw += c.toString()))
    req.on('end', () => {
      const path = req.url ?? ''
      received.push({
        path,
        signature: req.headers['x-tollgate-signature'] as string | undefined,
        authorization: req.headers.authorization,
        raw,
        body: JSON.parse(raw) as Record<string, unknown>,
      })
      const failures = flaky.get(path) ?? 0
      if (failures > 0) {
        flaky.set(path, failures - 1)
        res.writeHead(503).end()
        return
      }
      res.writeHead(path === '/resend/emails' ? 200 : 204, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
  t = await startTestApp({
    API_KEY: ADMIN,
    JWT_SECRET: SECRET,
    ALERT_EVAL_INTERVAL_MS: '0',
    ALERT_NOTIFY_BACKOFF_MS: '5',
    ALERT_WEBHOOK_SECRET: SIGNING,
    ALERT_WEBHOOK_URL: `${base}/sdk`,
    RESEND_API_KEY: RESEND_KEY,
    RESEND_API_URL: `${base}/resend`,
  })
  const other = String((await send('POST', '/api/projects', { name: 'other' })).body.id)
  viewer = {
    'x-api-key': String((await send('POST', '/api/projects/default/keys', { scopes: ['ingest', 'read'] })).body.key),
  }
  const token = await new SignJWT({ role: 'admin', project_id: other })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('o')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET))
  otherAdmin = { authorization: `Bearer ${token}` }
})
afterAll(async () => {
  await t.close()
  await new Promise((r) => receiver.close(r))
})

const history = async (ruleId: string) =>
  (await call(`/api/alerts/history?rule_id=${ruleId}`, { headers: admin })).body.events as Record<string, unknown>[]
const to = (path: string) => received.filter((r) => r.path === path)

describe('alert rules CRUD', () => {
  it('round trips the agentwatch form and any field by PATCH', async () => {
    const created = await send('POST', '/api/alerts', {
      name: 'spend',
      condition: 'cost_per_hour',
      threshold: 5,
      action_type: 'email',
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      name: 'spend',
      condition: 'cost_per_hour',
      threshold: 5,
      action_type: 'email',
      cooldown_s: 300,
      enabled: true,
      window_s: 3600,
      state: 'ok',
    })
    const id = String(created.body.id)
    expect((await call('/api/alerts', { headers: admin })).body.rules).toContainEqual(created.body)
    expect((await send('PATCH', `/api/alerts/${id}`, { cooldown_s: 60 })).body).toMatchObject({ cooldown_s: 60 })
    const patched = await send('PATCH', `/api/alerts/${id}`, { enabled: false, threshold: 7, tag: 'feature=chat' })
    expect(patched.status).toBe(200)
    // A field the PATCH does not name keeps its value (cooldown_s once fell back to its default).
    expect(patched.body).toMatchObject({
      enabled: false,
      threshold: 7,
      tag: 'feature=chat',
      name: 'spend',
      cooldown_s: 60,
    })
    const noTarget = await send('PATCH', `/api/alerts/${id}`, { action_type: 'webhook' })
    expect(noTarget.status).toBe(400)
    expect(String(noTarget.body.detail)).toContain('target')
    expect((await call(`/api/alerts/${id}`, { method: 'DELETE', headers: admin })).status).toBe(204)
    expect((await call(`/api/alerts/${id}`, { method: 'DELETE', headers: admin })).status).toBe(404)
    expect((await send('PATCH', `/api/alerts/${id}`, { enabled: true })).status).toBe(404)
  })

  it.each([
    [{ condition: 'error_rate', threshold: 1 }, 'name'],
    [{ name: 'x', condition: 'vibes', threshold: 1 }, 'condition'],
    [{ name: 'x', condition: 'error_rate', threshold: -1 }, 'threshold'],
    [{ name: 'x', condition: 'error_rate', threshold: 1, action_type: 'webhook' }, 'target'],
    [{ name: 'x', condition: 'error_rate', threshold: 1, action_type: 'pager' }, 'action_type'],
    [{ name: 'x', condition: 'error_rate', threshold: 1, tag: 'novalue' }, 'tag'],
    [{ name: 'x', condition: 'error_rate', threshold: 1, extra: 1 }, 'extra'],
  ])('%j → 400 naming %s', async (body, field) => {
    const res = await send('POST', '/api/alerts', body)
    expect(res.status).toBe(400)
    expect(String(res.body.detail)).toContain(field)
  })

  it('a viewer cannot mutate; another project gets 404 and sees nothing', async () => {
    const { body } = await send('POST', '/api/alerts', {
      name: 'mine',
      condition: 'error_rate',
      threshold: 0.5,
      enabled: false,
    })
    const id = String(body.id)
    expect(
      (await send('POST', '/api/alerts', { name: 'v', condition: 'error_rate', threshold: 1 }, viewer)).status,
    ).toBe(403)
    expect((await send('PATCH', `/api/alerts/${id}`, { enabled: true }, viewer)).status).toBe(403)
    expect((await send('PATCH', `/api/alerts/${id}`, { enabled: true }, otherAdmin)).status).toBe(404)
    expect((await call(`/api/alerts/${id}`, { method: 'DELETE', headers: otherAdmin })).status).toBe(404)
    expect((await call('/api/alerts', { headers: otherAdmin })).body.rules).toEqual([])
    expect((await call(`/api/alerts/${id}`, { method: 'DELETE', headers: admin })).status).toBe(204)
  })
})

/** Spans for one condition, each under its own model so rules see only their own. */
async function spansFor(condition: string, nowMs: number): Promise<string> {
  const model = `m-${condition}-${nowMs}`
  const { traceId, spanId } = ids()
  const at = (i: number) => new Date(nowMs - 30_000 + i * 100).toISOString()
  const mk = (i: number, extra: Record<string, unknown> = {}) =>
    span({
      trace_id: traceId,
      span_id: spanId(i),
      model,
      start_time: at(i),
      end_time: new Date(Date.parse(at(i)) + 5000).toISOString(),
      usage: { input_tokens: 400, output_tokens: 100 },
      cost: { input_usd: 0.5, output_usd: 0.25 },
      ...extra,
    })
  expect((await ingest(t, [mk(1), mk(2, { status: 'error', error: { message: 'boom' } }), mk(3)], admin)).status).toBe(
    202,
  )
  if (condition === 'pii_detected_count' || condition === 'injection_attempt_count') {
    const rows = await runQuery(t.deps.ch, {
      name: 'test.row',
      query: `SELECT * FROM ${t.deps.ch.table('spans')} FINAL WHERE project_id = 'default' AND trace_id = {t:String}`,
      params: { t: traceId },
      schema: SpanRow,
    })
    await insertSpanRows(
      t.deps.ch,
      rows.slice(0, 1).map((r) => ({ ...r, span_id: spanId(9), pii_detected: true, injection_attempt: true })),
    )
  }
  return model
}

// Each fixture: 3 spans (one error) of $0.75, 500 tokens and 5 s each, in the last minute.
const CONDITIONS: [string, number][] = [
  ['cost_per_hour', 2],
  ['cost_per_day', 2],
  ['error_rate', 0.2],
  ['latency_p95_ms', 4000],
  ['calls_per_minute', 2],
  ['tokens_per_hour', 1000],
  ['pii_detected_count', 0],
  ['injection_attempt_count', 0],
]

describe('the evaluator', () => {
  it.each(CONDITIONS)('%s fires once per cooldown to a signed webhook, then resolves', async (condition, threshold) => {
    const now = Date.now()
    const model = await spansFor(condition, now)
    const rule = await send('POST', '/api/alerts', {
      name: condition,
      condition,
      threshold,
      model,
      action_type: 'webhook',
      target: `${base}/hook/${condition}`,
    })
    expect(rule.status).toBe(201)
    const id = String(rule.body.id)

    const first = await t.deps.alerts.runOnce(now)
    expect(first.filter((e) => e.rule_id === id)).toEqual([expect.objectContaining({ kind: 'fired', threshold })])
    expect(first.find((e) => e.rule_id === id)?.value).toBeGreaterThan(threshold)
    expect((await t.deps.alerts.runOnce(now + 1000)).filter((e) => e.rule_id === id)).toEqual([])
    const later = await t.deps.alerts.runOnce(now + 2 * 86_400_000)
    expect(later.filter((e) => e.rule_id === id)).toEqual([expect.objectContaining({ kind: 'resolved', value: 0 })])
    await t.deps.alerts.settled()

    const hooks = to(`/hook/${condition}`)
    expect(hooks.map((h) => h.body.kind)).toEqual(['fired', 'resolved'])
    for (const h of hooks) {
      expect(h.signature).toBe(`sha256=${createHmac('sha256', SIGNING).update(h.raw).digest('hex')}`)
      expect(h.body).toMatchObject({ project_id: 'default', rule: { id, name: condition, condition }, threshold })
    }
    expect((await history(id)).map((e) => [e.kind, e.notification])).toEqual([
      ['resolved', 'sent'],
      ['fired', 'sent'],
    ])
    expect((await send('PATCH', `/api/alerts/${id}`, { enabled: false })).status).toBe(200)
  })

  it('fires again once the cooldown has passed while the condition holds', async () => {
    const now = Date.now()
    const model = await spansFor('again', now)
    const { body } = await send('POST', '/api/alerts', {
      name: 'again',
      condition: 'cost_per_day',
      threshold: 1,
      model,
      cooldown_s: 60,
      action_type: 'log',
    })
    const id = String(body.id)
    const fired = async (at: number) => (await t.deps.alerts.runOnce(at)).filter((e) => e.rule_id === id).length
    expect([await fired(now), await fired(now + 30_000), await fired(now + 59_000), await fired(now + 61_000)]).toEqual(
      [1, 0, 0, 1],
    )
    await t.deps.alerts.settled()
    expect((await history(id)).map((e) => e.notification)).toEqual(['sent', 'sent'])
    // from/to select events by when they happened: [from, to).
    const between = async (q: string) =>
      (
        (await call(`/api/alerts/history?rule_id=${id}&${q}`, { headers: admin })).body.events as {
          created_at: string
        }[]
      ).map((e) => e.created_at)
    const iso = (ms: number) => new Date(ms).toISOString()
    expect(await between(`from=${iso(now + 1000)}`)).toEqual([iso(now + 61_000)])
    expect(await between(`to=${iso(now + 61_000)}`)).toEqual([iso(now)])
    expect(await between(`from=${iso(now)}&to=${iso(now + 61_001)}`)).toEqual([iso(now + 61_000), iso(now)])
    expect((await call(`/api/alerts/history?from=yesterday`, { headers: admin })).status).toBe(400)
    await send('PATCH', `/api/alerts/${id}`, { enabled: false })
  })

  it('a target that is down fails after its retries and does not stop the other rules; Slack gets { text }', async () => {
    const now = Date.now()
    const model = await spansFor('down', now)
    const down = await send('POST', '/api/alerts', {
      name: 'down',
      condition: 'calls_per_minute',
      threshold: 1,
      model,
      action_type: 'webhook',
      target: 'http://127.0.0.1:1/nothing',
    })
    const slack = await send('POST', '/api/alerts', {
      name: 'slack',
      condition: 'calls_per_minute',
      threshold: 1,
      model,
      action_type: 'slack',
      target: `${base}/slack`,
    })
    const events = await t.deps.alerts.runOnce(now)
    expect(events.filter((e) => e.rule_id === down.body.id || e.rule_id === slack.body.id)).toHaveLength(2)
    await t.deps.alerts.settled()
    expect(to('/slack')).toEqual([
      expect.objectContaining({ body: { text: expect.stringContaining('slack: calls per minute') as unknown } }),
    ])
    expect(await history(String(down.body.id))).toEqual([
      expect.objectContaining({ kind: 'fired', notification: 'failed', notification_attempts: 4 }),
    ])
    for (const r of [down, slack]) await send('PATCH', `/api/alerts/${String(r.body.id)}`, { enabled: false })
  })

  it('email goes through the Resend API; a flaky target is retried and the outcome recorded', async () => {
    const now = Date.now()
    const model = await spansFor('mail', now)
    flaky.set('/resend/emails', 1)
    flaky.set('/flaky', 2)
    const mail = await send('POST', '/api/alerts', {
      name: 'mail',
      condition: 'calls_per_minute',
      threshold: 1,
      model,
      action_type: 'email',
      target: 'oncall@example.com',
    })
    const hook = await send('POST', '/api/alerts', {
      name: 'flaky',
      condition: 'calls_per_minute',
      threshold: 1,
      model,
      action_type: 'webhook',
      target: `${base}/flaky`,
    })
    const fired = await t.deps.alerts.runOnce(now)
    expect(fired.filter((e) => e.rule_id === mail.body.id || e.rule_id === hook.body.id)).toHaveLength(2)
    await t.deps.alerts.settled()
    const emails = to('/resend/emails')
    expect(emails).toHaveLength(2) // one 503, then accepted
    expect(emails[1]?.authorization).toBe(`Bearer ${RESEND_KEY}`)
    expect(emails[1]?.body).toMatchObject({
      to: ['oncall@example.com'],
      subject: expect.stringContaining('mail') as unknown,
      from: expect.any(String) as unknown,
    })
    expect(await history(String(mail.body.id))).toEqual([
      expect.objectContaining({ kind: 'fired', notification: 'sent', notification_attempts: 2 }),
    ])
    expect(to('/flaky')).toHaveLength(3)
    expect(await history(String(hook.body.id))).toEqual([
      expect.objectContaining({ kind: 'fired', notification: 'sent', notification_attempts: 3 }),
    ])
    for (const r of [mail, hook]) await send('PATCH', `/api/alerts/${String(r.body.id)}`, { enabled: false })
  })

  it('two evaluators started at once fire a rule once', async () => {
    const now = Date.now()
    const model = await spansFor('twice', now)
    const { body } = await send('POST', '/api/alerts', {
      name: 'twice',
      condition: 'tokens_per_hour',
      threshold: 100,
      model,
      action_type: 'webhook',
      target: `${base}/twice`,
    })
    // Without a lease (the server's evaluator has one: alerts.lease.test.ts), so both passes evaluate and
    // the rule's conditional UPDATE alone, the second guard, keeps the firing single.
    const second = createAlertEvaluator({
      ch: t.deps.ch,
      db: t.deps.pg.db,
      notify: { log: () => undefined, backoffMs: 5 },
    })
    const [a, b] = await Promise.all([t.deps.alerts.runOnce(now), second.runOnce(now)])
    expect([...(a ?? []), ...(b ?? [])].filter((e) => e.rule_id === body.id)).toHaveLength(1)
    await Promise.all([t.deps.alerts.settled(), second.settled()])
    expect(to('/twice')).toHaveLength(1)
    expect(await history(String(body.id))).toHaveLength(1)
    await send('PATCH', `/api/alerts/${String(body.id)}`, { enabled: false })
  })
})

describe('SDK alerts', () => {
  it.each(['/api/alerts/sdk-alert', '/api/api/alerts/sdk-alert'])('%s stores and forwards', async (path) => {
    const alert = {
      scope: 'agent',
      scope_id: `planner-${path.length}`,
      reason: 'cost_limit',
      message: 'planner over budget',
      threshold: 1,
      current: 1.5,
      blocked: true,
      timestamp: new Date().toISOString(),
      sdk: { name: '@tollgate/sdk' },
    }
    const res = await send('POST', path, alert)
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ kind: 'sdk', value: 1.5, threshold: 1, message: 'planner over budget' })
    await t.deps.alerts.settled()
    expect(to('/sdk').map((r) => r.body)).toContainEqual(
      expect.objectContaining({
        kind: 'sdk',
        value: 1.5,
        details: expect.objectContaining({ scope_id: alert.scope_id, blocked: true }) as unknown,
      }),
    )
    const events = (await call('/api/alerts/history', { headers: admin })).body.events as Record<string, unknown>[]
    expect(events).toContainEqual(expect.objectContaining({ id: res.body.id, kind: 'sdk', notification: 'sent' }))
    expect((await call('/api/alerts/history', { headers: otherAdmin })).body.events).toEqual([])
  })

  it('refuses an alert without a reason', async () => {
    const res = await send('POST', '/api/alerts/sdk-alert', { scope: 'global' })
    expect(res.status).toBe(400)
    expect(String(res.body.detail)).toContain('reason')
  })
})
