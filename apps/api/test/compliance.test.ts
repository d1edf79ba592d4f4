// GET /api/traces/:id/compliance-score on crafted traces through the real ingest path and engines:
// each check passes on a well-formed trace and fails, alone, on a trace crafted to break it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reportTransition } from '@tollgate/store'
import { ids, ingest, json, span, startTestApp, type Problem, type TestApp } from './harness.js'

let t: TestApp
beforeAll(async () => {
  // Six months and more of retention: the retention check passes here (it fails at the default 30 days).
  t = await startTestApp({ DATA_RETENTION_DAYS: '200' })
})
afterAll(() => t.close())

interface Score {
  trace_id: string
  score: number
  framework: string
  checks: { id: string; title: string; passed: boolean; weight: number; detail: string }[]
}

/** A root agent span and three model calls, each attributed, timed and with input and output. */
function wellFormed(start = Date.now() - 60_000): { traceId: string; spans: Record<string, unknown>[] } {
  const { traceId, spanId } = ids()
  const at = (ms: number) => new Date(start + ms).toISOString()
  const agent = { id: 'researcher', name: 'Researcher' }
  const spans = [
    span({
      trace_id: traceId,
      span_id: spanId(0),
      name: 'run',
      kind: 'agent',
      provider: null,
      model: null,
      usage: null,
      agent,
      start_time: at(0),
      end_time: at(4000),
    }),
    ...[1, 2, 3].map((i) =>
      span({
        trace_id: traceId,
        span_id: spanId(i),
        parent_span_id: spanId(0),
        agent,
        input: `question ${i}`,
        output: `answer ${i}`,
        start_time: at(i * 1000),
        end_time: at(i * 1000 + 800),
      }),
    ),
  ]
  return { traceId, spans }
}

async function score(traceId: string): Promise<Score> {
  const res = await t.request(`/api/traces/${traceId}/compliance-score`)
  expect(res.status).toBe(200)
  return (await res.json()) as Score
}

async function stored(spans: Record<string, unknown>[]): Promise<void> {
  const res = await ingest(t, { spans })
  expect(res.status, JSON.stringify(res.body)).toBe(202)
  expect(res.body.accepted).toBe(spans.length)
}

const failing = (s: Score) => s.checks.filter((c) => !c.passed).map((c) => c.id)

describe('GET /api/traces/:id/compliance-score', () => {
  it('scores a well-formed trace 100 with every check passed, and the same again', async () => {
    const { traceId, spans } = wellFormed()
    await stored(spans)
    const first = await score(traceId)
    expect(first).toMatchObject({ trace_id: traceId, score: 100, framework: 'eu-ai-act-art12' })
    expect(first.checks.map((c) => c.id)).toEqual([
      'timestamps',
      'model_identity',
      'io_recorded',
      'errors_recorded',
      'agent_attribution',
      'trace_complete',
      'retention_policy',
      'audit_trail_intact',
      'breaker_interventions_logged',
    ])
    expect(first.checks.every((c) => c.passed)).toBe(true)
    expect((await score(traceId)).score).toBe(first.score)
  })

  // Each case breaks one span of a well-formed trace; only the named check may fail.
  const breaks: [string, (s: Record<string, unknown>) => Record<string, unknown>, RegExp][] = [
    ['timestamps', (s) => ({ ...s, end_time: undefined }), /without a usable start and end time/],
    ['model_identity', (s) => ({ ...s, model: undefined }), /without provider or model/],
    [
      'io_recorded',
      (s) => ({ ...s, input: undefined, output: undefined }),
      /without input\/output and without a reason/,
    ],
    ['errors_recorded', (s) => ({ ...s, status: 'error' }), /with status error and no message/],
    ['agent_attribution', (s) => ({ ...s, agent: undefined }), /without an agent/],
    ['trace_complete', (s) => ({ ...s, parent_span_id: 'ffffffffffffffff' }), /whose parent is missing/],
  ]
  it.each(breaks)('fails %s alone on a trace crafted to break it', async (id, breakSpan, detail) => {
    const { traceId, spans } = wellFormed()
    spans[2] = breakSpan(spans[2] ?? {})
    await stored(spans)
    const s = await score(traceId)
    expect(failing(s)).toEqual([id])
    expect(s.checks.find((c) => c.id === id)?.detail).toMatch(detail)
    expect(s.score).toBe(100 - (s.checks.find((c) => c.id === id)?.weight ?? 0))
  })

  it('accepts text not kept when the span records why, and an error with its message', async () => {
    const { traceId, spans } = wellFormed()
    spans[1] = {
      ...spans[1],
      input: undefined,
      output: undefined,
      attributes: { 'tollgate.retention_reason': 'contract' },
    }
    spans[2] = { ...spans[2], status: 'error', error_message: '429 rate limited' }
    await stored(spans)
    const s = await score(traceId)
    expect(s.score).toBe(100)
    expect(s.checks.find((c) => c.id === 'io_recorded')?.detail).toContain('tollgate.retention_reason=contract')
  })

  it('counts breaker transitions during the trace: audited ones pass, an unaudited one fails', async () => {
    const start = Date.now() - 30_000
    const { traceId, spans } = wellFormed(start)
    await stored(spans)
    const res = await t.request(
      '/api/circuit-breaker/state',
      json({
        scope: 'agent',
        scope_id: 'researcher',
        event: 'triggered',
        from: 'CLOSED',
        to: 'OPEN',
        reason: 'budget',
        timestamp: start + 1500,
      }),
    )
    expect(res.status).toBe(201)
    let s = await score(traceId)
    expect(s.checks.find((c) => c.id === 'breaker_interventions_logged')).toMatchObject({
      passed: true,
      detail: '1 transition(s), all audited',
    })
    // A transition stored without its audit entry (as by a server before the audit log existed).
    await reportTransition({
      db: t.deps.pg.db,
      input: {
        projectId: 'default',
        scope: 'agent',
        scopeId: 'researcher',
        processId: 'p',
        event: 'recovered',
        from: 'OPEN',
        to: 'CLOSED',
        snapshot: {},
        reportedAt: new Date(start + 2500),
      },
    })
    s = await score(traceId)
    expect(failing(s)).toEqual(['breaker_interventions_logged'])
    expect(s.checks.find((c) => c.id === 'breaker_interventions_logged')?.detail).toBe(
      '1 of 2 transition(s) not audited',
    )
  })

  it('answers 404 for a trace the project does not have, 400 for a malformed id', async () => {
    const missing = await t.request(`/api/traces/${ids().traceId}/compliance-score`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as Problem).type).toMatch(/not-found/)
    expect((await t.request('/api/traces/not-a-trace/compliance-score')).status).toBe(400)
  })
})
