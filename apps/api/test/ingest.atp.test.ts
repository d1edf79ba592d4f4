import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ids, ingest, startTestApp, type TestApp } from './harness.js'

// The agentwatch Python SDK posts one ATP span per request (mapped onto wire v1 by packages/core/src/normalize/atp.ts).
const KEY = 'test-key-0123456789abcdef'
let t: TestApp
beforeAll(async () => {
  t = await startTestApp({ API_KEY: KEY })
})
afterAll(() => t.close())

const nowNs = (): number => Date.now() * 1e6

function atpLlmSpan(traceId: string, spanId: string, parent: string | null): Record<string, unknown> {
  const end = nowNs()
  return {
    trace_id: traceId,
    span_id: spanId,
    ...(parent ? { parent_span_id: parent } : {}),
    name: 'openai.chat.completion',
    kind: 'CLIENT',
    start_time_unix_nano: end - 1_333_000_000,
    end_time_unix_nano: end,
    status: { code: 'OK' },
    agent_id: 'python-sdk',
    agent_name: 'AeneasSoft Python SDK',
    agent_role: 'AutoInstrumented',
    input: "{'role': 'user', 'content': 'Hello'}",
    output: 'Hi there!',
    model_inference: {
      model_name: 'gpt-4o-2024-08-06',
      provider: 'OpenAI',
      prompt_tokens: 9,
      completion_tokens: 3,
      latency_ms: 1333,
    },
  }
}

async function spansOf(traceId: string): Promise<Array<Record<string, unknown>>> {
  const res = await t.request(`/api/traces/${traceId}/spans`, { headers: { 'x-api-key': KEY } })
  expect(res.status).toBe(200)
  return ((await res.json()) as { spans: Array<Record<string, unknown>> }).spans
}

describe('ATP spans from agentwatch', () => {
  it('maps an SDK-patch LLM span: ns times, usage, provider id, agent, computed cost', async () => {
    const { traceId, spanId } = ids()
    const body = atpLlmSpan(traceId, spanId(2), spanId(1))
    const res = await ingest(t, body, { 'x-api-key': KEY })
    expect(res).toEqual({ status: 202, body: { accepted: 1, rejected: [] } })
    const [s] = await spansOf(traceId)
    expect(s).toMatchObject({
      span_id: spanId(2),
      parent_span_id: spanId(1),
      kind: 'llm',
      status: 'ok',
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      usage: { input_tokens: 9, output_tokens: 3, total_tokens: 12 },
      agent: { id: 'python-sdk', name: 'AeneasSoft Python SDK', role: 'AutoInstrumented', parent_id: null },
      cost_status: 'computed',
      input: "{'role': 'user', 'content': 'Hello'}",
      output: 'Hi there!',
      source: 'atp',
    })
    expect(s?.duration_ms).toBeCloseTo(1333, 0)
    expect((s?.attributes as Record<string, unknown>)['atp.latency_ms']).toBe(1333)
    expect((s?.cost as { total_usd: number }).total_usd).toBeGreaterThan(0)
    // The ns timestamp survives to the microsecond.
    const start = Date.parse(String(s?.start_time))
    expect(Math.abs(start - Number(body.start_time_unix_nano) / 1e6)).toBeLessThan(1)
  })

  it('accepts the nulls agentwatch emits (input, output, model_name) and the X-AeneasSoft-API-Key header', async () => {
    const { traceId, spanId } = ids()
    const body = atpLlmSpan(traceId, spanId(1), null)
    body.input = null
    body.output = null
    body.model_inference = {
      model_name: null,
      provider: 'Groq',
      prompt_tokens: 12,
      completion_tokens: 40,
      latency_ms: 512,
    }
    body.name = 'groq.http'
    const res = await ingest(t, body, { 'x-aeneassoft-api-key': KEY })
    expect(res.status).toBe(202)
    const [s] = await spansOf(traceId)
    expect(s).toMatchObject({
      provider: 'groq',
      model: null,
      input: null,
      output: null,
      cost_status: 'unknown',
      cost: null,
    })
  })

  it('maps a trace() root with an error status and compliance flags', async () => {
    const { traceId, spanId } = ids()
    const end = nowNs()
    const res = await ingest(
      t,
      {
        trace_id: traceId,
        span_id: spanId(1),
        name: 'research-pipeline',
        kind: 'SERVER',
        start_time_unix_nano: end - 3e9,
        end_time_unix_nano: end,
        status: { code: 'ERROR', message: 'boom' },
        agent_id: 'user-agent',
        agent_name: 'Agent',
        agent_role: 'Orchestrator',
        compliance_flags: ['eu_ai_act_art12_relevant'],
      },
      { 'x-aeneassoft-api-key': KEY },
    )
    expect(res.status).toBe(202)
    const [s] = await spansOf(traceId)
    expect(s).toMatchObject({
      kind: 'agent',
      status: 'error',
      error_message: 'boom',
      agent: { id: 'user-agent', role: 'Orchestrator' },
    })
    expect((s?.attributes as Record<string, unknown>)['atp.compliance_flags']).toBe('["eu_ai_act_art12_relevant"]')
  })

  it('keeps circuit-breaker attributes', async () => {
    const { traceId, spanId } = ids()
    const ts = nowNs()
    const res = await ingest(
      t,
      {
        trace_id: traceId,
        span_id: spanId(1),
        name: 'circuit_breaker.circuit_breaker_triggered',
        kind: 'INTERNAL',
        start_time_unix_nano: ts,
        end_time_unix_nano: ts,
        status: { code: 'OK' },
        agent_id: 'default',
        agent_name: 'AeneasSoft CircuitBreaker',
        agent_role: 'SafetyMonitor',
        attributes: {
          'cb.event': 'circuit_breaker_triggered',
          'cb.scope': 'global',
          reason: 'Hourly budget exceeded',
          threshold: 5.0,
          current: 5.1234,
        },
      },
      { 'x-aeneassoft-api-key': KEY },
    )
    expect(res.status).toBe(202)
    const [s] = await spansOf(traceId)
    expect(s?.kind).toBe('other')
    expect(s?.attributes).toMatchObject({
      'cb.event': 'circuit_breaker_triggered',
      reason: 'Hourly budget exceeded',
      threshold: 5,
      current: 5.1234,
    })
  })

  it('refuses an ATP span without a key, or with a wrong key, and stores nothing', async () => {
    const { traceId, spanId } = ids()
    const none = await ingest(t, atpLlmSpan(traceId, spanId(1), null))
    const wrong = await ingest(t, atpLlmSpan(traceId, spanId(1), null), { 'x-aeneassoft-api-key': KEY + 'x' })
    expect([none.status, wrong.status]).toEqual([401, 401])
    const res = await t.request(`/api/traces/${traceId}/spans`, { headers: { 'x-api-key': KEY } })
    expect(res.status).toBe(404)
  })
})
