import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ids, ingest, json, span, startTestApp, type TestApp } from './harness.js'

let t: TestApp
let doc: { openapi: string; paths: Record<string, Record<string, unknown>> }
const ajv = new Ajv2020({ strict: false, allErrors: true })

beforeAll(async () => {
  t = await startTestApp()
  const res = await t.request('/openapi.json')
  expect(res.status).toBe(200)
  doc = (await res.json()) as typeof doc
  ajv.addSchema(doc, 'api')
})
afterAll(() => t.close())

function validate(name: string, value: unknown): string[] {
  const check = ajv.getSchema(`api#/components/schemas/${name}`)
  if (!check || '$async' in check) throw new Error(`no synchronous schema ${name}`)
  check(value)
  return (check.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`)
}

describe('GET /openapi.json', () => {
  it('documents every route the app serves', () => {
    expect(doc.openapi).toBe('3.1.0')
    const served = t.app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
    for (const route of served) expect(documented, route).toContain(route)
  })

  it('describes what the routes really answer', async () => {
    const { traceId, spanId } = ids()
    const sent = [
      span({ trace_id: traceId, span_id: spanId(1), agent: { id: 'a', name: 'A' }, attributes: { n: 1, b: true } }),
      span({ trace_id: traceId, span_id: spanId(2), parent_span_id: spanId(1) }),
    ]
    expect(validate('IngestBody', { spans: sent })).toEqual([])
    const res = await ingest(t, { spans: sent })
    expect(res.status).toBe(202)
    expect(validate('IngestResponse', res.body)).toEqual([])

    expect(validate('TraceList', await (await t.request(`/api/traces?search=${traceId}`)).json())).toEqual([])
    expect(validate('TraceSpans', await (await t.request(`/api/traces/${traceId}/spans`)).json())).toEqual([])
    expect(validate('TraceGraph', await (await t.request(`/api/traces/${traceId}/graph`)).json())).toEqual([])
    expect(
      validate('Problem', await (await t.request('/api/traces/4bf92f3577b34da6a3ce929d0e0e4736/spans')).json()),
    ).toEqual([])
    expect(validate('Metrics', await (await t.request('/api/metrics')).json())).toEqual([])
    for (const path of [
      'daily',
      'daily?granularity=hour&tz=Europe/Berlin',
      'by-agent',
      'by-model',
      'by-user',
      'by-tag?key=feature',
      'timeseries?group=tag:feature',
    ]) {
      expect(validate('CostResponse', await (await t.request(`/api/cost/${path}`)).json()), path).toEqual([])
    }
    const budget = await (
      await t.request(
        '/api/budgets',
        json({
          name: 'b',
          limit_usd: 5,
          scope: 'agent',
          scope_value: 'a',
          thresholds: [{ percent: 80, action: 'degrade', degrade_to_model: 'm' }],
        }),
      )
    ).json()
    expect(validate('Budget', budget)).toEqual([])
    expect(validate('BudgetList', await (await t.request('/api/budgets')).json())).toEqual([])
    expect(validate('Policy', await (await t.request('/api/policy')).json())).toEqual([])
    const transition = {
      scope: 'global',
      event: 'triggered',
      from: 'CLOSED',
      to: 'OPEN',
      timestamp: new Date().toISOString(),
      snapshot: {},
    }
    expect(validate('CircuitTransition', transition)).toEqual([])
    expect((await t.request('/api/circuit-breaker/state', json(transition))).status).toBe(201)
    expect(validate('CircuitStatus', await (await t.request('/api/circuit-breaker/status')).json())).toEqual([])
    const rule = await (
      await t.request('/api/alerts', json({ name: 'r', condition: 'error_rate', threshold: 0.5 }))
    ).json()
    expect(validate('AlertRule', rule)).toEqual([])
    expect(validate('AlertRuleList', await (await t.request('/api/alerts')).json())).toEqual([])
    const sdkAlert = { scope: 'global', reason: 'cost_limit', current: 2, threshold: 1, blocked: true }
    expect(validate('SdkAlert', sdkAlert)).toEqual([])
    expect(validate('AlertEvent', await (await t.request('/api/alerts/sdk-alert', json(sdkAlert))).json())).toEqual([])
    expect(validate('AlertHistory', await (await t.request('/api/alerts/history')).json())).toEqual([])
  })

  it('rejects in the schema what the API rejects', () => {
    expect(validate('Span', span({ usage: { input_tokens: -1 } }))).not.toEqual([])
    expect(validate('TraceList', { traces: [{ trace_id: 1 }], total: 0, next_cursor: null })).not.toEqual([])
  })
})
