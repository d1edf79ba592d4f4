// tokenome 0.1.0 TelemetryEvent.to_payload() (None dropped), one per span, ids from event_id.
import { describe, expect, it } from 'vitest'
import { DEFAULT_SPAN_LIMITS, eventIds, normalizeTokenomeEvent, type Span } from '@tollgate/core'

const NOW = 1_800_000_000_000_000
const HEX = '0123456789abcdef0123456789abcdef'
const EVENT = {
  event_id: `evt_${HEX}`,
  event_type: 'request',
  provider: 'openai',
  provider_sdk: 'openai-python',
  provider_sdk_version: '2.54.0',
  model: 'gpt-4o-mini-2024-07-18',
  operation: 'chat.completions.create',
  request_mode: 'sync',
  request_started_at: '2026-11-30T10:00:00.000000Z',
  response_completed_at: '2026-11-30T10:00:00.420000Z',
  latency_ms: 420,
  status: 'success',
  cost_status: 'final',
  total_tokens: 17,
  input_tokens: 11,
  output_tokens: 6,
  project_id: 'proj-a',
  environment: 'prod',
  route: '/chat',
  feature: 'support-bot',
  user_id_hash: 'a'.repeat(64),
  session_id: 'sess-42',
  tags: { team: 'growth', tier: 2 },
  raw_usage_json: {
    prompt_tokens: 11,
    completion_tokens: 6,
    total_tokens: 17,
    prompt_tokens_details: { cached_tokens: 3 },
    completion_tokens_details: { reasoning_tokens: 2 },
  },
  extra: {},
}

function accept(raw: unknown): Span {
  const r = normalizeTokenomeEvent(raw, DEFAULT_SPAN_LIMITS, NOW)
  if (!r.ok) throw new Error(`rejected: ${r.error}`)
  return r.span
}

describe('tokenome event', () => {
  it('maps one event onto one span', () => {
    const s = accept(EVENT)
    expect(s).toMatchObject({
      trace_id: HEX,
      span_id: HEX.slice(16),
      kind: 'llm',
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      operation: 'chat',
      stream: false,
      status: 'ok',
      user_id: 'a'.repeat(64),
      session_id: 'sess-42',
      tags: {
        team: 'growth',
        tier: '2',
        route: '/chat',
        feature: 'support-bot',
        environment: 'prod',
        project_id: 'proj-a',
      },
      source: 'tokenome',
    })
    expect(s.end_us - s.start_us).toBe(420_000)
    expect(s.usage).toEqual({
      input_tokens: 11,
      output_tokens: 6,
      total_tokens: 17,
      cache_read_tokens: 3,
      cache_write_tokens: 0,
      reasoning_tokens: 2,
    })
    expect(s.attributes).toMatchObject({
      'tokenome.operation': 'chat.completions.create',
      'tokenome.cost_status': 'final',
    })
  })

  it('the same event_id always gives the same key (redelivery is stored once)', () => {
    expect(eventIds(`evt_${HEX}`)).toEqual(eventIds(`evt_${HEX.toUpperCase()}`))
    const odd = eventIds('custom-id-1')
    expect(odd).toEqual(eventIds('custom-id-1'))
    expect(odd.traceId).toMatch(/^[0-9a-f]{32}$/)
  })

  it.each([
    ['a stream event', { request_mode: 'stream' }, { stream: true }],
    [
      'an error',
      { status: 'error', error_code: 'RateLimitError', error_message: '429' },
      { status: 'error', error_message: 'RateLimitError: 429' },
    ],
    ['embeddings', { operation: 'embeddings.create' }, { kind: 'embedding', operation: 'embeddings' }],
    [
      'Anthropic usage (cache reads apart from input)',
      {
        provider: 'anthropic',
        input_tokens: 10,
        raw_usage_json: { input_tokens: 10, cache_read_input_tokens: 30, cache_creation_input_tokens: 5 },
      },
      {
        provider: 'anthropic',
        usage: expect.objectContaining({ input_tokens: 45, cache_read_tokens: 30, cache_write_tokens: 5 }),
      },
    ],
    [
      'the batches API: request counts are no tokens',
      {
        operation: 'batches.retrieve',
        input_tokens: 9,
        output_tokens: 1,
        total_tokens: 10,
        raw_usage_json: { total: 10 },
      },
      { kind: 'other', usage: expect.objectContaining({ input_tokens: 0, output_tokens: 0 }) },
    ],
  ])('%s', (_, patch, expected) => {
    expect(accept({ ...EVENT, ...patch })).toMatchObject(expected)
  })

  it.each([
    ['no event_id', { event_id: undefined }, /event_id/],
    ['a bad timestamp', { request_started_at: 'soon' }, /start_time/],
  ])('refuses %s', (_, patch, error) => {
    const r = normalizeTokenomeEvent({ ...EVENT, ...patch }, DEFAULT_SPAN_LIMITS, NOW)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(error)
  })
})
