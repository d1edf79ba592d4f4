// aden-py 0.4.5 control events: a metric event (dataclasses.asdict: every key, None as null) → a span.
import { describe, expect, it } from 'vitest'
import { DEFAULT_SPAN_LIMITS, adenEventType, normalizeAdenMetric, type Span } from '@tollgate/core'

const NOW = 1_800_000_000_000_000
const DATA = {
  trace_id: '0d7f3c52-8f3e-4b6e-9c0e-2b1f4f0b9a11',
  span_id: 'a6c3e2b1-3d4f-4e5a-9b8c-7d6e5f4a3b2c',
  parent_span_id: null,
  request_id: 'chatcmpl-9xYz',
  provider: 'openai',
  model: 'gpt-4o-2024-08-06',
  stream: false,
  timestamp: '2026-01-05T10:00:00.123456+00:00',
  latency_ms: 842.7,
  status_code: null,
  error: null,
  input_tokens: 120,
  output_tokens: 45,
  total_tokens: 165,
  cached_tokens: 20,
  reasoning_tokens: 5,
  input_cost: null,
  output_cost: null,
  total_cost: null,
  currency: null,
  call_sequence: null,
  agent_stack: ['ResearchAgent'],
  agent_name: 'ResearchAgent',
  call_site_file: '/app/agent.py',
  call_site_line: 42,
  tool_call_count: 1,
  tool_names: 'get_weather',
  service_tier: 'default',
  metadata: { tenant_id: 'acme', customer_id: 'c-9', feature: 'search', context_id: 'user-42' },
  content_capture: null,
}
const EVENT = {
  data: DATA,
  event_type: 'metric',
  timestamp: '2026-01-05T10:00:00.200000+00:00',
  sdk_instance_id: 'inst-1',
  agent_name: '',
}

function accept(raw: unknown): Span {
  const r = normalizeAdenMetric(raw, DEFAULT_SPAN_LIMITS, NOW)
  if (!r.ok) throw new Error(`rejected: ${r.error}`)
  return r.span
}

describe('aden metric event', () => {
  it('maps onto one span', () => {
    const s = accept(EVENT)
    const end = Date.parse('2026-01-05T10:00:00.123Z') * 1000 + 456
    expect(s).toMatchObject({
      trace_id: '0d7f3c528f3e4b6e9c0e2b1f4f0b9a11',
      span_id: 'a6c3e2b13d4f4e5a',
      kind: 'llm',
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      end_us: end,
      start_us: end - 842_700,
      status: 'ok',
      cost: null,
      agent: { name: 'ResearchAgent', id: 'researchagent' },
      tags: { tenant_id: 'acme', customer_id: 'c-9', feature: 'search', context_id: 'user-42' },
      source: 'aden',
    })
    expect(s.usage).toMatchObject({ input_tokens: 120, output_tokens: 45, cache_read_tokens: 20, reasoning_tokens: 5 })
    expect(s.attributes).toMatchObject({
      'aden.request_id': 'chatcmpl-9xYz',
      'aden.tool_names': 'get_weather',
      'aden.sdk_instance_id': 'inst-1',
    })
  })

  it.each([
    [
      'a provider-reported cost',
      { total_cost: 0.01, input_cost: 0.004, output_cost: 0.006 },
      { cost: { total_usd: 0.01, input_usd: 0.004, output_usd: 0.006 } },
    ],
    ['an error', { error: 'RateLimitError' }, { status: 'error', error_message: 'RateLimitError' }],
    [
      'cache reads counted apart (Anthropic)',
      { provider: 'anthropic', input_tokens: 5, cached_tokens: 50 },
      { usage: expect.objectContaining({ input_tokens: 55, cache_read_tokens: 50 }) },
    ],
    ['no metadata', { metadata: null }, { tags: {} }],
    [
      "metadata.agent when the SDK named no agent (aden's agent budgets match it)",
      { agent_name: null, metadata: { agent: 'planner' } },
      { agent: { id: 'planner', name: 'planner', role: '', parent_id: null } },
    ],
  ])('%s', (_, patch, expected) => {
    expect(accept({ ...EVENT, data: { ...DATA, ...patch } })).toMatchObject(expected)
  })

  it('tells the event types apart and refuses a metric without data', () => {
    expect(adenEventType(EVENT)).toBe('metric')
    expect(adenEventType({ event_type: 'control' })).toBe('control')
    expect(adenEventType(null)).toBe('unknown')
    const r = normalizeAdenMetric({ event_type: 'metric' }, DEFAULT_SPAN_LIMITS, NOW)
    expect(r.ok).toBe(false)
  })
})
