// OTLP spans (JSON mapping, and the protobuf decoder's toObject form) and the GenAI attribute
// vocabularies in the wild: semconv current and older names, OpenInference, the llm.* family.
import { describe, expect, it } from 'vitest'
import { DEFAULT_SPAN_LIMITS, normalizeOtlpSpan, otlpItems, type Span } from '@tollgate/core'

const NOW = 1_800_000_000_000_000
const START_NS = '1767225600123456789'
const END_NS = '1767225601456789000'
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

type Attr = { key: string; value: Record<string, unknown> }
const kv = (attrs: Record<string, unknown>): Attr[] =>
  Object.entries(attrs).map(([key, v]) => ({
    key,
    value:
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'boolean'
          ? { boolValue: v }
          : Number.isInteger(v)
            ? { intValue: String(v) }
            : { doubleValue: v },
  }))

function request(spanAttrs: Record<string, unknown>, extra: Record<string, unknown> = {}, resource = {}): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: kv({ 'service.name': 'checkout', ...resource }) },
        scopeSpans: [
          {
            scope: { name: 'opentelemetry.instrumentation.openai_v2', version: '2.4b0' },
            spans: [
              {
                traceId: TRACE,
                spanId: SPAN,
                name: 'chat gpt-4o-mini',
                kind: 3,
                startTimeUnixNano: START_NS,
                endTimeUnixNano: END_NS,
                attributes: kv(spanAttrs),
                status: {},
                ...extra,
              },
            ],
          },
        ],
      },
    ],
  }
}

function one(body: unknown): Span {
  const items = otlpItems(body)
  expect(items).toHaveLength(1)
  const r = normalizeOtlpSpan(items[0], DEFAULT_SPAN_LIMITS, NOW)
  if (!r.ok) throw new Error(`rejected: ${r.error}`)
  return r.span
}

describe('OTLP envelope', () => {
  it('maps ids, times, kind, status, resource service.name, scope, attributes', () => {
    const s = one(request({ 'gen_ai.provider.name': 'openai', 'http.route': '/x' }))
    expect(s).toMatchObject({
      trace_id: TRACE,
      span_id: SPAN,
      parent_span_id: null,
      name: 'chat gpt-4o-mini',
      start_us: 1_767_225_600_123_456,
      end_us: 1_767_225_601_456_789,
      status: 'unset',
      source: 'otlp',
      tags: { 'service.name': 'checkout' },
    })
    expect(s.attributes).toMatchObject({
      'otel.span_kind': 'client',
      'otel.scope.name': 'opentelemetry.instrumentation.openai_v2',
      'otel.scope.version': '2.4b0',
      'http.route': '/x',
      'gen_ai.provider.name': 'openai',
    })
  })

  it('reads base64 ids (protobuf JSON mapping) and snake_case field names', () => {
    const b64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64')
    const body = {
      resource_spans: [
        {
          scope_spans: [
            {
              spans: [
                {
                  trace_id: b64(TRACE),
                  span_id: b64(SPAN),
                  parent_span_id: b64('a3ce929d0e0e4736'),
                  name: 'x',
                  start_time_unix_nano: START_NS,
                  end_time_unix_nano: END_NS,
                  status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                },
              ],
            },
          ],
        },
      ],
    }
    const s = one(body)
    expect(s).toMatchObject({ trace_id: TRACE, span_id: SPAN, parent_span_id: 'a3ce929d0e0e4736' })
    expect(s).toMatchObject({ status: 'error', error_message: 'boom', kind: 'other' })
  })

  it('an exception event is the error message; a non-LLM span keeps no model and is no llm', () => {
    const s = one(
      request(
        { 'http.request.method': 'GET' },
        {
          status: { code: 2 },
          events: [
            {
              name: 'exception',
              timeUnixNano: START_NS,
              attributes: kv({ 'exception.type': 'RateLimitError', 'exception.message': 'slow down' }),
            },
          ],
        },
      ),
    )
    expect(s).toMatchObject({ kind: 'http', status: 'error', error_message: 'RateLimitError: slow down', model: '' })
  })

  it.each([
    ['hex of the wrong length', { traceId: 'abc' }, /traceId/],
    ['all-zero span id', { spanId: '0000000000000000' }, /span_id/],
    ['bad parent', { parentSpanId: 'zz' }, /parentSpanId/],
    ['no start', { startTimeUnixNano: undefined }, /startTimeUnixNano/],
    ['end before start', { endTimeUnixNano: '1' }, /end_time/],
  ])('refuses %s', (_, patch, error) => {
    const r = normalizeOtlpSpan(otlpItems(request({}, patch))[0], DEFAULT_SPAN_LIMITS, NOW)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(error)
  })

  it('an empty request has no spans; a body that is no request is refused', () => {
    expect(otlpItems({})).toEqual([])
    expect(otlpItems({ resourceSpans: [] })).toEqual([])
    expect(() => otlpItems([])).toThrow(/ExportTraceServiceRequest/)
    expect(() => otlpItems({ resourceSpans: 3 })).toThrow(/array/)
  })

  it('past MAX_ATTRIBUTES the rest is counted, not refused', () => {
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]))
    const s = one(request(many))
    expect(Object.keys(s.attributes).length).toBeLessThanOrEqual(DEFAULT_SPAN_LIMITS.maxAttributes)
    expect(s.attributes['otel.dropped_attributes']).toBeGreaterThan(0)
  })
})

// One row per vocabulary: the attributes a producer sets → the canonical fields they must land in.
describe.each<[string, Record<string, unknown>, Partial<Span>, Partial<Span['usage']>]>([
  [
    'GenAI semconv (current: opentelemetry-instrumentation-openai-v2)',
    {
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 6,
      'gen_ai.usage.cache_read.input_tokens': 3,
      'gen_ai.usage.cache_creation.input_tokens': 2,
      'gen_ai.usage.reasoning.output_tokens': 2,
      'gen_ai.agent.name': 'Researcher',
      'gen_ai.agent.id': 'agent-7',
      'gen_ai.conversation.id': 'conv-1',
      'user.id': 'u-1',
      'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
      'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"hello"}]}]',
    },
    {
      kind: 'llm',
      provider: 'openai',
      model: 'gpt-4o-mini',
      response_model: 'gpt-4o-mini-2024-07-18',
      operation: 'chat',
      agent: { id: 'agent-7', name: 'Researcher', role: '', parent_id: null },
      user_id: 'u-1',
      session_id: 'conv-1',
      input: '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
      output: '[{"role":"assistant","parts":[{"type":"text","content":"hello"}]}]',
    },
    { input_tokens: 11, output_tokens: 6, cache_read_tokens: 3, cache_write_tokens: 2, reasoning_tokens: 2 },
  ],
  [
    'GenAI semconv (older names: gen_ai.system, prompt/completion tokens, session.id)',
    {
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude-3-5-sonnet-20241022',
      'gen_ai.usage.prompt_tokens': 100,
      'gen_ai.usage.completion_tokens': 20,
      'gen_ai.usage.cache_read_input_tokens': 300,
      'session.id': 's-9',
    },
    { kind: 'llm', provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', session_id: 's-9' },
    // Anthropic counts cache reads apart: input becomes all input.
    { input_tokens: 400, output_tokens: 20, cache_read_tokens: 300 },
  ],
  [
    'GenAI semconv provider names → pricer ids',
    { 'gen_ai.provider.name': 'gcp.vertex_ai', 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'm' },
    { kind: 'embedding', provider: 'google', operation: 'embeddings' },
    {},
  ],
  [
    'OpenInference',
    {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o',
      'llm.provider': 'openai',
      'llm.token_count.prompt': 50,
      'llm.token_count.completion': 10,
      'llm.token_count.total': 60,
      'llm.token_count.prompt_details.cache_read': 20,
      'input.value': 'What is 2+2?',
      'output.value': '4',
    },
    { kind: 'llm', provider: 'openai', model: 'gpt-4o', operation: 'chat', input: 'What is 2+2?', output: '4' },
    { input_tokens: 50, output_tokens: 10, total_tokens: 60, cache_read_tokens: 20 },
  ],
  [
    'llm.* family (SynapseKit, instrumentation-sdk) with a reported cost',
    {
      'llm.model': 'gpt-4o-mini',
      'llm.provider': 'OpenAI',
      'llm.prompt_tokens': 7,
      'llm.completion_tokens': 3,
      'llm.cost_usd': 0.00042,
    },
    {
      kind: 'llm',
      provider: 'openai',
      model: 'gpt-4o-mini',
      cost: { input_usd: 0, output_usd: 0, total_usd: 0.00042 },
    },
    { input_tokens: 7, output_tokens: 3 },
  ],
  [
    'an agent span (invoke_agent) and a tool span kind',
    { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Planner' },
    { kind: 'agent', model: '', agent: { id: 'planner', name: 'Planner', role: '', parent_id: null } },
    {},
  ],
])('%s', (_, attrs, expected, usage) => {
  it('maps onto the canonical span', () => {
    const s = one(request(attrs))
    expect(s).toMatchObject(expected)
    expect(s.usage).toMatchObject(usage)
  })
})

describe('GenAI content in span events', () => {
  it('older gen_ai.content.prompt/completion events and per-message events', () => {
    const a = one(
      request(
        { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' },
        {
          events: [
            { name: 'gen_ai.content.prompt', attributes: kv({ 'gen_ai.prompt': 'hi there' }) },
            { name: 'gen_ai.content.completion', attributes: kv({ 'gen_ai.completion': 'hello' }) },
          ],
        },
      ),
    )
    expect(a).toMatchObject({ input: 'hi there', output: 'hello' })
    const b = one(
      request(
        { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' },
        {
          events: [
            { name: 'gen_ai.user.message', attributes: kv({ content: 'question' }) },
            { name: 'gen_ai.choice', attributes: kv({ index: 0, finish_reason: 'stop' }) },
          ],
        },
      ),
    )
    expect(JSON.parse(b.input ?? '')).toEqual([{ role: 'user', content: 'question' }])
    expect(JSON.parse(b.output ?? '')).toEqual([{ index: 0, finish_reason: 'stop' }])
  })
})
