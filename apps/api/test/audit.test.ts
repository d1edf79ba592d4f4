// The audit log: entries written where the changes happen, listed per project, the hash chain
// verified, appends racing each other kept on one line, and a row changed behind the log's back found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appendAudit, auditEntryHash, connectPostgres, GENESIS_HASH } from '@tollgate/store'
import { ids, ingest, json, span, startTestApp, type TestApp } from './harness.js'

const ADMIN = 'audit-test-instance-key-0123456789'
const admin = { 'x-api-key': ADMIN }
let t: TestApp

interface Entry {
  seq: number
  at: string
  actor: string
  action: string
  target_type: string
  target_id: string
  trace_id: string | null
  details: Record<string, unknown>
  prev_hash: string
  hash: string
}
interface ChainCheck {
  intact: boolean
  entries: number
  head: { seq: number; hash: string } | null
  broken: { seq: number; id: number; reason: string } | null
}

const send = async (method: string, path: string, body?: unknown, headers = admin) => {
  const res = await t.request(path, body === undefined ? { method, headers } : { ...json(body, headers), method })
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}
async function entries(query = ''): Promise<Entry[]> {
  const all: Entry[] = []
  let after = 0
  for (;;) {
    const res = await t.request(`/api/audit?limit=1000&after_seq=${after}${query}`, { headers: admin })
    expect(res.status).toBe(200)
    const page = (await res.json()) as { entries: Entry[]; next_after_seq: number | null }
    all.push(...page.entries)
    if (page.next_after_seq === null) return all
    after = page.next_after_seq
  }
}
const verify = async () => {
  const res = await t.request('/api/audit/verify', { headers: admin })
  expect(res.status).toBe(200)
  return (await res.json()) as { intact: boolean; project: ChainCheck; instance: ChainCheck }
}

beforeAll(async () => {
  t = await startTestApp({ API_KEY: ADMIN, DATA_RETENTION_DAYS: '200' })
})
afterAll(() => t.close())

describe('audit entries where changes happen', () => {
  it('records budgets, alert rules, keys and breaker transitions, with the actor and without secrets', async () => {
    const budget = await send('POST', '/api/budgets', { name: 'monthly', limit_usd: 50 })
    expect(budget.status).toBe(201)
    const id = String(budget.body.id)
    expect((await send('PATCH', `/api/budgets/${id}`, { limit_usd: 80 })).status).toBe(200)
    expect((await send('DELETE', `/api/budgets/${id}`)).status).toBe(204)

    const hook = 'https://hooks.slack.example/services/T000/B000/very-secret-token'
    const rule = await send('POST', '/api/alerts', {
      name: 'spend',
      condition: 'cost_per_hour',
      threshold: 5,
      action_type: 'slack',
      target: hook,
    })
    expect(rule.status).toBe(201)
    const ruleId = String(rule.body.id)
    expect((await send('PATCH', `/api/alerts/${ruleId}`, { threshold: 9 })).status).toBe(200)
    expect((await send('DELETE', `/api/alerts/${ruleId}`)).status).toBe(204)

    const key = await send('POST', '/api/projects/default/keys', { scopes: ['read'] })
    expect(key.status).toBe(201)
    expect((await send('DELETE', `/api/projects/default/keys/${String(key.body.id)}`)).status).toBe(204)

    const transition = await send('POST', '/api/circuit-breaker/state', {
      scope: 'global',
      event: 'triggered',
      from: 'CLOSED',
      to: 'OPEN',
    })
    expect(transition.status).toBe(201)

    const log = await entries()
    const actions = log.map((e) => `${e.action} ${e.target_id}`)
    expect(actions).toEqual(
      expect.arrayContaining([
        `budget.created ${id}`,
        `budget.updated ${id}`,
        `budget.deleted ${id}`,
        `alert_rule.created ${ruleId}`,
        `alert_rule.updated ${ruleId}`,
        `alert_rule.deleted ${ruleId}`,
        `key.created ${String(key.body.id)}`,
        `key.revoked ${String(key.body.id)}`,
        `circuit.transition ${String(transition.body.id)}`,
      ]),
    )
    expect(log.find((e) => e.action === 'budget.updated')?.details).toMatchObject({ patch: { limit_usd: 80 } })
    expect(log.find((e) => e.action === 'circuit.transition')?.details).toMatchObject({
      from: 'CLOSED',
      to: 'OPEN',
      event: 'triggered',
    })
    expect(log.every((e) => e.actor === 'api-key')).toBe(true)
    // Neither the webhook URL nor the new key's secret is in the log.
    const text = JSON.stringify(log)
    expect(text).not.toContain('very-secret-token')
    expect(text).not.toContain(String(key.body.key))
    expect(log.find((e) => e.action === 'alert_rule.created')?.details).toMatchObject({ rule: { target: '(set)' } })
    // Chain order, linked.
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1))
    log.forEach((e, i) => expect(e.prev_hash).toBe(i === 0 ? GENESIS_HASH : log[i - 1]?.hash))
  })

  it('records the configuration at every start in the instance chain, never a secret', async () => {
    const res = await t.request('/api/audit?chain=instance', { headers: admin })
    const { entries: instance } = (await res.json()) as { entries: Entry[] }
    const start = instance.find((e) => e.action === 'config.start')
    expect(start?.details).toMatchObject({ config: { data_retention_days: 200, auth: { api_key: true } } })
    expect(JSON.stringify(instance)).not.toContain(ADMIN)
  })

  it('lists by time range', async () => {
    const all = await entries()
    const last = all[all.length - 1]
    const later = await entries(`&from=${encodeURIComponent(last?.at ?? '')}`)
    expect(later.map((e) => e.seq)).toContain(last?.seq)
    expect(later.length).toBeLessThan(all.length + 1)
    expect(await entries(`&to=${encodeURIComponent(all[0]?.at ?? '')}`)).toEqual([])
  })
})

describe('the hash chain', () => {
  it('stays linear under concurrent appends (HTTP, and two processes racing for each seq)', async () => {
    const before = (await verify()).project.entries
    // A second pool on the same database stands for another replica: its appends are not queued with
    // this process's, so the two race and the unique (project, seq) index decides.
    const other = await connectPostgres({ url: t.deps.pg.url, dataDir: t.dataDir })
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) =>
        appendAudit(i % 2 ? other.db : t.deps.pg.db, {
          projectId: 'default',
          actor: 'test',
          action: 'test.append',
          targetType: 'test',
          targetId: String(i),
        }),
      ),
      ...Array.from({ length: 10 }, async (_, i) => {
        expect((await send('POST', '/api/budgets', { name: `b${i}`, limit_usd: i + 1 })).status).toBe(201)
      }),
    ])
    await other.close()
    const log = await entries()
    expect(log.length).toBe(before + 50)
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1))
    log.forEach((e, i) => expect(e.prev_hash).toBe(i === 0 ? GENESIS_HASH : log[i - 1]?.hash))
    expect(new Set(log.map((e) => e.hash)).size).toBe(log.length)
    expect(await verify()).toMatchObject({
      intact: true,
      project: { intact: true, entries: before + 50, broken: null },
    })
  })

  it('refuses UPDATE and DELETE on audit_log', async () => {
    await expect(t.deps.pg.pool.query("UPDATE audit_log SET actor = 'x' WHERE seq = 1")).rejects.toThrow()
    await expect(t.deps.pg.pool.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow()
    expect((await verify()).intact).toBe(true)
  })

  it('finds a row changed behind its back (trigger dropped), and the compliance score shows it', async () => {
    const { traceId, spanId } = ids()
    expect(
      (
        await ingest(
          t,
          [span({ trace_id: traceId, span_id: spanId(1), agent: { id: 'a', name: 'A' }, input: 'q', output: 'a' })],
          admin,
        )
      ).status,
    ).toBe(202)
    const scoreOf = async () =>
      (
        (await (await t.request(`/api/traces/${traceId}/compliance-score`, { headers: admin })).json()) as {
          checks: { id: string; passed: boolean; detail: string }[]
        }
      ).checks.find((c) => c.id === 'audit_trail_intact')
    expect((await scoreOf())?.passed).toBe(true)

    const victim = (await entries()).find((e) => e.action === 'budget.updated')
    expect(victim).toBeDefined()
    await t.deps.pg.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only')
    await t.deps.pg.pool.query("UPDATE audit_log SET details = $1 WHERE project_id = 'default' AND seq = $2", [
      '{"patch":{"limit_usd":8000}}',
      victim?.seq ?? 0,
    ])
    await t.deps.pg.pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only')

    const result = await verify()
    expect(result.intact).toBe(false)
    expect(result.project.broken).toMatchObject({ seq: victim?.seq, reason: 'hash-mismatch' })
    expect(result.instance.intact).toBe(true)
    expect(await scoreOf()).toMatchObject({ passed: false, detail: `chain broken at entry ${victim?.seq}` })
  })

  it('names the kind of break: a re-hashed row breaks the next link, a deleted row leaves a gap', () => {
    // The hash function itself, on stored shapes: any column change changes the hash.
    const row = {
      projectId: 'p',
      seq: 1,
      at: new Date('2026-11-01T00:00:00.000Z'),
      actor: 'a',
      action: 'x',
      targetType: 't',
      targetId: '1',
      traceId: null,
      details: '{}',
      prevHash: GENESIS_HASH,
    }
    const h = auditEntryHash(row)
    for (const change of [
      { seq: 2 },
      { actor: 'b' },
      { details: '{"a":1}' },
      { traceId: 'x' },
      { at: new Date(1) },
      { prevHash: h },
    ])
      expect(auditEntryHash({ ...row, ...change })).not.toBe(h)
  })
})
