import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ALERT_CONDITIONS,
  bindParams,
  costByModel,
  costByTag,
  costByUser,
  createAlertEvaluator,
  DEFAULT_PROJECT_ID,
  findStoredSpanKeys,
  type ClickHouse,
} from '@tollgate/store'
import { createApp } from '../src/app.js'
import { ids, ingest, json, span, startTestApp, type TestApp } from './harness.js'

const ADMIN = 'tenancy-test-instance-key-0123456789'
let t: TestApp
const keys: Record<'a' | 'b', Record<string, string>> = { a: {}, b: {} }
const projects = { a: '', b: '' }
const { traceId, spanId } = ids()

beforeAll(async () => {
  t = await startTestApp({ API_KEY: ADMIN })
  for (const p of ['a', 'b'] as const) {
    const project = (await (await t.request('/api/projects', json({ name: p }, { 'x-api-key': ADMIN }))).json()) as {
      id: string
    }
    projects[p] = project.id
    const created = await t.request(
      `/api/projects/${project.id}/keys`,
      json({ scopes: ['ingest', 'read'] }, { 'x-api-key': ADMIN }),
    )
    keys[p] = { 'x-api-key': ((await created.json()) as { key: string }).key }
  }
  const spans = [
    span({
      trace_id: traceId,
      span_id: spanId(1),
      user_id: 'alice',
      tags: { team: 'red' },
      input: 'secret prompt of project a',
      project_id: 'ignored',
    }),
    span({ trace_id: traceId, span_id: spanId(2), parent_span_id: spanId(1), user_id: 'alice' }),
  ]
  expect((await ingest(t, { spans }, keys.a)).status).toBe(202)
})
afterAll(() => t.close())

describe('cross-project access', () => {
  it("shows project a's trace to a and to nobody else", async () => {
    const asA = await t.request(`/api/traces?search=${traceId}`, { headers: keys.a })
    expect(((await asA.json()) as { traces: unknown[] }).traces).toHaveLength(1)
    for (const query of [
      `search=${traceId}`,
      'user_id=alice',
      'tag.team=red',
      'search=secret',
      'sort=cost',
      'total=exact',
    ]) {
      const res = await t.request(`/api/traces?${query}`, { headers: keys.b })
      expect(res.status, query).toBe(200)
      expect(JSON.stringify(await res.json()), query).not.toContain(traceId)
    }
    // Another project's trace is a missing trace: 404, never 403.
    for (const path of [`/api/traces/${traceId}/spans`, `/api/traces/${traceId}/graph`]) {
      expect((await t.request(path, { headers: keys.a })).status, path).toBe(200)
      expect((await t.request(path, { headers: keys.b })).status, path).toBe(404)
      expect((await t.request(path, { headers: { ...keys.b, 'x-project-id': projects.a } })).status, path).toBe(404)
    }
  })

  it("keeps analytics to the caller's project", async () => {
    for (const path of ['/api/cost/by-user', '/api/cost/by-tag?key=team', '/api/metrics?tag.team=red']) {
      const asA = await t.request(path, { headers: keys.a })
      const asB = await t.request(path, { headers: keys.b })
      expect([asA.status, asB.status], path).toEqual([200, 200])
      const [a, b] = [await asA.text(), await asB.text()]
      expect(a, path).not.toEqual(b)
      if (path.includes('by-user')) expect(a).toContain('alice')
      expect(b, path).not.toContain('alice')
      expect(b, path).not.toContain('"red"')
    }
  })

  it('takes the project from the credential only, never from a parameter or body', async () => {
    const withParam = await t.request(`/api/traces?search=${traceId}&project_id=${projects.a}`, { headers: keys.b })
    expect(withParam.status).toBe(400)
    const other = ids()
    expect(
      (await ingest(t, span({ trace_id: other.traceId, span_id: other.spanId(1), project_id: projects.a }), keys.b))
        .status,
    ).toBe(202)
    expect((await t.request(`/api/traces/${other.traceId}/spans`, { headers: keys.a })).status).toBe(404)
    expect((await t.request(`/api/traces/${other.traceId}/spans`, { headers: keys.b })).status).toBe(200)
  })

  it('treats SQL-looking filter values as data', async () => {
    for (const value of ["' OR 1=1 --", "alice' OR project_id != '", '{project:String}', "\\'; DROP TABLE spans; --"]) {
      const q = new URLSearchParams({ user_id: value, 'tag.team': value, search: value })
      const res = await t.request(`/api/traces?${q}`, { headers: keys.b })
      expect(res.status, value).toBe(200)
      expect(((await res.json()) as { traces: unknown[] }).traces, value).toEqual([])
    }
    expect((await t.request(`/api/traces/${traceId}/spans`, { headers: keys.a })).status).toBe(200)
  })
})

type ClickHouseClient = ClickHouse['client']

interface Recorded {
  query: string
  params: Record<string, unknown>
}

/**
 * The real engine behind a client that behaves like a ClickHouse server's (parameters sent apart from
 * the text), recording each statement: what a server would receive.
 */
function recording(ch: ClickHouse, log: Recorded[]): ClickHouse {
  const wrap = (client: ClickHouseClient): ClickHouseClient =>
    new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === 'query' || prop === 'command') {
          return (args: { query: string; query_params?: Record<string, unknown>; format?: string }) => {
            log.push({ query: args.query, params: args.query_params ?? {} })
            const bound = { ...args, query: bindParams(args.query, args.query_params ?? {}), query_params: undefined }
            return prop === 'query'
              ? target.query(bound as Parameters<ClickHouseClient['query']>[0])
              : target.command(bound)
          }
        }
        return Reflect.get(target, prop, receiver) as unknown
      },
    })
  return {
    ...ch,
    mode: 'server',
    client: wrap(ch.client),
    read: (fn) => ch.read((client) => fn(wrap(client))),
    table: (n) => ch.table(n),
    close: () => ch.close(),
  }
}

/** Tables that hold project data; a read of one without `project_id = {param:String}` bound to the caller's project is a leak. */
const TABLE_READ = /\b(FROM|JOIN)\s+[\w.`]*\b(spans|trace_index|span_keys|cost_hourly\w*)\b/g
const PROJECT_BOUND = /\bproject_id\s*=\s*\{(\w+):String\}/g

function unbound(log: Recorded[], projectId: string): string[] {
  return log
    .filter((r) => {
      const reads = [...r.query.matchAll(TABLE_READ)].length
      const bound = [...r.query.matchAll(PROJECT_BOUND)].filter((m) => r.params[m[1] ?? ''] === projectId).length
      return reads === 0 ? !/project_id/.test(r.query) : bound < reads
    })
    .map((r) => r.query.replace(/\s+/g, ' ').slice(0, 200))
}

describe('every ClickHouse read binds the project id', () => {
  it('holds for every read route and every exported read function', async () => {
    const log: Recorded[] = []
    const ch = recording(t.deps.ch, log)
    const app = createApp({ ...t.deps, ch })
    // Every GET route under /api the app serves (analytics included, and routes added later), then
    // the trace routes with their filters.
    const ok = new Set<string>()
    const gets = [
      ...new Set(
        t.app.routes
          // The API and the other clients' doors at the root (/v1/control/policy, /tsdb/pricing).
          .filter((r) => r.method === 'GET' && /^\/(api|v1|tsdb)\//.test(r.path) && !r.path.startsWith('/api/projects'))
          .map((r) => r.path),
      ),
    ]
    for (const route of gets) {
      for (const query of [
        '',
        '?key=team',
        '?group=model',
        '?group=tag:team&granularity=hour',
        '?tag.team=red&granularity=hour',
      ]) {
        const res = await app.request(route.replace(/:\w+/g, traceId) + query, { headers: keys.a })
        expect(res.status, route + query).toBeLessThan(500)
        if (res.status === 200) ok.add(route)
      }
    }
    expect([...ok]).toEqual(
      expect.arrayContaining([
        '/api/traces',
        '/api/traces/:id/spans',
        '/api/cost/daily',
        '/api/cost/by-tag',
        '/api/cost/timeseries',
        '/api/metrics',
      ]),
    )
    for (const path of [
      '/api/traces',
      `/api/traces?search=${traceId}`,
      '/api/traces?user_id=alice&model=gpt-4o&agent_id=x&session_id=s&tag.team=red&status=ok&min_cost=0',
      '/api/traces?sort=cost&total=exact',
      '/api/traces?sort=duration&order=asc&total=none',
      '/api/traces?sort=tokens&limit=1',
      `/api/traces/${traceId}/spans?limit=1`,
      `/api/traces/${traceId}/graph`,
    ]) {
      const res = await app.request(path, { headers: keys.a })
      expect(res.status, path).toBe(200)
    }
    const range = { fromUs: (Date.now() - 86_400_000) * 1000, toUs: (Date.now() + 60_000) * 1000 }
    await costByModel(ch, projects.a, range)
    await costByUser(ch, projects.a, range)
    await costByTag(ch, projects.a, 'team', range)
    await findStoredSpanKeys(ch, projects.a, [{ traceId, spanId: spanId(1) }])
    expect(log.length).toBeGreaterThan(10)
    expect(unbound(log, projects.a)).toEqual([])
  })

  it("holds for the alert evaluator: each condition reads only its rule's project", async () => {
    for (const condition of ALERT_CONDITIONS) {
      const res = await t.request(
        '/api/alerts',
        json(
          { name: `bound ${condition}`, condition, threshold: 1e9, action_type: 'log', tag: 'team=red' },
          { 'x-api-key': ADMIN },
        ),
      )
      expect(res.status, condition).toBe(201)
    }
    const log: Recorded[] = []
    const evaluator = createAlertEvaluator({
      ch: recording(t.deps.ch, log),
      db: t.deps.pg.db,
      notify: { backoffMs: 1, log: () => undefined },
    })
    await evaluator.runOnce()
    // One read per rule at least, every one bound to the rules' (default) project.
    expect(log.length).toBeGreaterThanOrEqual(ALERT_CONDITIONS.length)
    expect(unbound(log, DEFAULT_PROJECT_ID)).toEqual([])
  })

  it('would catch a read that forgets the project (the check can fail)', () => {
    const log = [
      { query: 'SELECT count() FROM tollgate.spans FINAL WHERE trace_id = {t:String}', params: { t: 'x' } },
      {
        query: 'SELECT 1 FROM spans WHERE project_id = {p:String} AND trace_id IN (SELECT trace_id FROM trace_index)',
        params: { p: 'a' },
      },
      { query: 'SELECT 1 FROM spans WHERE project_id = {p:String}', params: { p: 'b' } },
    ]
    expect(unbound(log, 'a')).toHaveLength(3)
  })
})
