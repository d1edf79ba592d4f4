// instrumentation-sdk's LLMSpan JSON (its POST /v1/spans contract), as model_dump(mode="json") gives it.
import { describe, expect, it } from 'vitest'
import { DEFAULT_SPAN_LIMITS, normalizeInstrumentationSdkSpan, type Span } from '@tollgate/core'

const NOW = 1_800_000_000_000_000
const BASE = {
  span_id: '1a42f3b0-25d7-420b-952b-8a67a074044f',
  trace_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  parent_span_id: null,
  schema_version: 1,
  model: 'gpt-4o',
  provider: 'openai',
  service_name: 'checkout-service',
  endpoint: '/api/summarize',
  environment: 'production',
  user_id: 'u_123',
  session_id: 'sess-1',
  prompt_tokens: 10,
  completion_tokens: 5,
  latency_ms_ttft: 120,
  latency_ms_total: 850,
  finish_reason: 'stop',
  cost_usd_micro: 125,
  price_version: '2025-01-15',
  token_count_method: 'tiktoken',
  is_sampled: false,
  retry_count: 0,
  attempted_models: ['gpt-4o'],
  pii_detected: true,
  injection_attempt: false,
  timestamp_utc: '2026-05-20T10:36:16.787784Z',
  prompt_hash: null,
  prompt_embedding: null,
  response_embedding: null,
}

function accept(raw: unknown): Span {
  const r = normalizeInstrumentationSdkSpan(raw, DEFAULT_SPAN_LIMITS, NOW)
  if (!r.ok) throw new Error(`rejected: ${r.error}`)
  return r.span
}

describe('instrumentation-sdk LLMSpan', () => {
  it('maps every field it has a place for', () => {
    const s = accept(BASE)
    expect(s).toMatchObject({
      trace_id: '7c9e6679742540de944be07fc1f90ae7',
      span_id: '1a42f3b025d7420b',
      parent_span_id: null,
      kind: 'llm',
      provider: 'openai',
      model: 'gpt-4o',
      operation: 'chat',
      start_us: Date.parse('2026-05-20T10:36:16.787Z') * 1000 + 784,
      ttft_ms: 120,
      status: 'ok',
      user_id: 'u_123',
      session_id: 'sess-1',
      cost: { total_usd: 0.000125 },
      tags: { 'service.name': 'checkout-service', endpoint: '/api/summarize', environment: 'production' },
      source: 'instrumentation-sdk',
    })
    expect(s.end_us - s.start_us).toBe(850_000)
    expect(s.usage).toMatchObject({ input_tokens: 10, output_tokens: 5 })
    expect(s.attributes).toMatchObject({
      original_span_id: BASE.span_id,
      'client.pii_detected': true,
      'client.injection_attempt': false,
      'isdk.finish_reason': 'stop',
      'isdk.price_version': '2025-01-15',
      'isdk.attempted_models': '["gpt-4o"]',
    })
    expect(Object.keys(s.attributes).some((k) => k.includes('embedding'))).toBe(false)
  })

  it.each([
    [
      'cost_usd_micro 0 means "not computed": no reported cost, Tollgate prices it',
      { cost_usd_micro: 0 },
      { cost: null },
    ],
    ['a null trace_id gets a new one', { trace_id: null }, { trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) }],
    [
      'environment unspecified is no tag',
      { environment: 'unspecified' },
      { tags: expect.not.objectContaining({ environment: expect.anything() }) },
    ],
    [
      'an in-process dict: status error, prompt and response text',
      { status: 'error', prompt: 'p', response_content: 'r' },
      { status: 'error', input: 'p', output: 'r' },
    ],
    ['a LangChain provider', { provider: 'langchain:anthropic' }, { provider: 'anthropic' }],
  ])('%s', (_, patch, expected) => {
    expect(accept({ ...BASE, ...patch })).toMatchObject(expected)
  })

  it.each([
    ['no span_id', { span_id: undefined }, /span_id/],
    ['a bad timestamp', { timestamp_utc: 'yesterday' }, /timestamp_utc/],
    ['negative tokens are no tokens, a bad UUID is refused', { span_id: 'not-a-uuid' }, /span_id/],
    ['not an object', null, /LLMSpan/],
  ])('refuses %s', (_, patch, error) => {
    const r = normalizeInstrumentationSdkSpan(patch === null ? null : { ...BASE, ...patch }, DEFAULT_SPAN_LIMITS, NOW)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(error)
  })
})
