// ATP spans as the agentwatch (AeneasSoft) Python SDK posts them: four example bodies (a)–(d) of
// its span kinds, parsed from JSON text as the ingest route parses them.
import { describe, expect, it } from 'vitest'
import { DEFAULT_SPAN_LIMITS, isAtpSpan, normalizeSpan, type Span } from '@tollgate/core'

/** 2026-01-01T00:00:00Z in µs. */
const BASE = 1_767_225_600_000_000
const NOW = 1_800_000_000_000_000

function accept(raw: unknown): Span {
  const result = normalizeSpan(raw, DEFAULT_SPAN_LIMITS, NOW)
  if (!result.ok) throw new Error(`rejected: ${result.error}`)
  return result.span
}

const parse = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>

// (a) OpenAI SDK patch, non-streaming.
const OPENAI_PATCH = `{
  "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
  "span_id": "00f067aa0ba902b7",
  "parent_span_id": "a3ce929d0e0e4736",
  "name": "openai.chat.completion",
  "kind": "CLIENT",
  "start_time_unix_nano": 1767225600123456768,
  "end_time_unix_nano": 1767225601456789504,
  "status": {"code": "OK"},
  "agent_id": "python-sdk",
  "agent_name": "AeneasSoft Python SDK",
  "agent_role": "AutoInstrumented",
  "input": "{'role': 'user', 'content': 'Hello'}",
  "output": "Hi there!",
  "model_inference": {
    "model_name": "gpt-4o-2024-08-06",
    "provider": "OpenAI",
    "prompt_tokens": 9,
    "completion_tokens": 3,
    "latency_ms": 1333
  }
}`

// (b) Universal HTTP interceptor.
const HTTP_INTERCEPTOR = `{
  "trace_id": "9c0e8f1d2b3a4c5d6e7f8091a2b3c4d5",
  "span_id": "1a2b3c4d5e6f7081",
  "name": "groq.http",
  "kind": "CLIENT",
  "start_time_unix_nano": 1767225600000000000,
  "end_time_unix_nano": 1767225600512000000,
  "status": {"code": "OK"},
  "agent_id": "researchbot",
  "agent_name": "ResearchBot",
  "agent_role": "Researcher",
  "model_inference": {"model_name": "llama3-70b-8192", "provider": "Groq",
                      "prompt_tokens": 12, "completion_tokens": 40, "latency_ms": 512},
  "parent_span_id": "a3ce929d0e0e4736",
  "input": "Analyze this dataset...",
  "output": "The dataset shows..."
}`

// (c) agentwatch.trace() root span, sent once at exit.
const TRACE_ROOT = `{
  "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
  "span_id": "a3ce929d0e0e4736",
  "name": "research-pipeline",
  "kind": "SERVER",
  "start_time_unix_nano": 1767225600000000000,
  "end_time_unix_nano": 1767225603000000000,
  "status": {"code": "ERROR", "message": "boom"},
  "agent_id": "user-agent",
  "agent_name": "Agent",
  "agent_role": "Orchestrator",
  "compliance_flags": ["eu_ai_act_art12_relevant"]
}`

// (d) Circuit-breaker compliance span. The reference elides the ids ("5f2c...32hex"); real ones here.
const CIRCUIT_BREAKER = `{
  "trace_id": "5f2c0a1b2c3d4e5f60718293a4b5c6d7", "span_id": "7d1e2f3a4b5c6d7e",
  "name": "circuit_breaker.circuit_breaker_triggered",
  "kind": "INTERNAL",
  "start_time_unix_nano": 1767225600000000000, "end_time_unix_nano": 1767225600000000000,
  "status": {"code": "OK"},
  "agent_id": "default",
  "agent_name": "AeneasSoft CircuitBreaker",
  "agent_role": "SafetyMonitor",
  "compliance_flags": ["eu_ai_act_art12_relevant"],
  "attributes": {"cb.event": "circuit_breaker_triggered", "cb.scope": "global", "cb.scope_id": "default",
                 "cb.state": "CLOSED", "reason": "Hourly budget exceeded", "threshold": 5.0, "current": 5.1234}
}`

describe('normalizeSpan (ATP): the agentwatch example bodies', () => {
  it.each<[string, string, Partial<Span>]>([
    [
      '(a) OpenAI SDK patch',
      OPENAI_PATCH,
      {
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        span_id: '00f067aa0ba902b7',
        parent_span_id: 'a3ce929d0e0e4736',
        name: 'openai.chat.completion',
        kind: 'llm',
        source: 'atp',
        // ns beyond 2^53, read as doubles: still exact to the µs.
        start_us: BASE + 123_456,
        end_us: BASE + 1_456_789,
        status: 'ok',
        error_message: null,
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        operation: 'chat',
        usage: {
          input_tokens: 9,
          output_tokens: 3,
          total_tokens: 12,
          cache_read_tokens: 0,
          cache_write_tokens: 0,
          reasoning_tokens: 0,
        },
        cost: null,
        agent: { id: 'python-sdk', name: 'AeneasSoft Python SDK', role: 'AutoInstrumented', parent_id: null },
        input: "{'role': 'user', 'content': 'Hello'}",
        output: 'Hi there!',
        attributes: { 'atp.kind': 'CLIENT', 'atp.latency_ms': 1333 },
      },
    ],
    [
      '(b) HTTP interceptor',
      HTTP_INTERCEPTOR,
      {
        trace_id: '9c0e8f1d2b3a4c5d6e7f8091a2b3c4d5',
        span_id: '1a2b3c4d5e6f7081',
        parent_span_id: 'a3ce929d0e0e4736',
        name: 'groq.http',
        kind: 'llm',
        source: 'atp',
        start_us: BASE,
        end_us: BASE + 512_000,
        status: 'ok',
        provider: 'groq',
        model: 'llama3-70b-8192',
        operation: 'chat',
        usage: {
          input_tokens: 12,
          output_tokens: 40,
          total_tokens: 52,
          cache_read_tokens: 0,
          cache_write_tokens: 0,
          reasoning_tokens: 0,
        },
        agent: { id: 'researchbot', name: 'ResearchBot', role: 'Researcher', parent_id: null },
        input: 'Analyze this dataset...',
        output: 'The dataset shows...',
        attributes: { 'atp.kind': 'CLIENT', 'atp.latency_ms': 512 },
      },
    ],
    [
      '(c) trace() root',
      TRACE_ROOT,
      {
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        span_id: 'a3ce929d0e0e4736',
        parent_span_id: null,
        name: 'research-pipeline',
        kind: 'agent',
        source: 'atp',
        start_us: BASE,
        end_us: BASE + 3_000_000,
        status: 'error',
        error_message: 'boom',
        provider: '',
        model: '',
        usage: {
          input_tokens: 0,
          output_tokens: 0,
          total_tokens: 0,
          cache_read_tokens: 0,
          cache_write_tokens: 0,
          reasoning_tokens: 0,
        },
        agent: { id: 'user-agent', name: 'Agent', role: 'Orchestrator', parent_id: null },
        input: null,
        output: null,
        attributes: { 'atp.kind': 'SERVER', 'atp.compliance_flags': '["eu_ai_act_art12_relevant"]' },
      },
    ],
    [
      '(d) circuit-breaker compliance span',
      CIRCUIT_BREAKER,
      {
        trace_id: '5f2c0a1b2c3d4e5f60718293a4b5c6d7',
        span_id: '7d1e2f3a4b5c6d7e',
        name: 'circuit_breaker.circuit_breaker_triggered',
        kind: 'other',
        source: 'atp',
        start_us: BASE,
        end_us: BASE,
        status: 'ok',
        agent: { id: 'default', name: 'AeneasSoft CircuitBreaker', role: 'SafetyMonitor', parent_id: null },
        attributes: {
          'cb.event': 'circuit_breaker_triggered',
          'cb.scope': 'global',
          'cb.scope_id': 'default',
          'cb.state': 'CLOSED',
          reason: 'Hourly budget exceeded',
          threshold: 5,
          current: 5.1234,
          'atp.kind': 'INTERNAL',
          'atp.compliance_flags': '["eu_ai_act_art12_relevant"]',
        },
      },
    ],
  ])('%s', (_name, text, expected) => {
    const raw = parse(text)
    expect(isAtpSpan(raw)).toBe(true)
    const s = accept(raw)
    expect(s).toMatchObject(expected)
    // Nothing beyond what the example implies: attributes are exactly these.
    expect(s.attributes).toEqual(expected.attributes)
  })
})

describe('normalizeSpan (ATP): variants the SDK produces', () => {
  it('accepts null input, output and model_name', () => {
    const raw = parse(OPENAI_PATCH)
    raw.input = null
    raw.output = null
    raw.model_inference = {
      model_name: null,
      provider: 'OpenAI',
      prompt_tokens: 4,
      completion_tokens: 0,
      latency_ms: null,
    }
    const s = accept(raw)
    expect(s).toMatchObject({
      input: null,
      output: null,
      model: '',
      provider: 'openai',
      kind: 'llm',
      usage: { input_tokens: 4, output_tokens: 0 },
    })
    expect(s.attributes).toEqual({ 'atp.kind': 'CLIENT' })
  })

  it('accepts a span under zero data retention (no input/output keys)', () => {
    const raw = parse(HTTP_INTERCEPTOR)
    delete raw.input
    delete raw.output
    expect(accept(raw)).toMatchObject({ input: null, output: null, input_truncated: false })
  })

  it('reads nanosecond timestamps parsed losslessly as bigint to the same µs', () => {
    const raw = parse(OPENAI_PATCH)
    raw.start_time_unix_nano = 1_767_225_600_123_456_789n
    raw.end_time_unix_nano = 1_767_225_601_456_789_012n
    expect(accept(raw)).toMatchObject({ start_us: BASE + 123_456, end_us: BASE + 1_456_789 })
  })

  it.each([
    ['OpenAI', 'openai'],
    ['Groq', 'groq'],
    ['Together AI', 'together'],
    ['Azure OpenAI', 'azure'],
    ['Anthropic', 'anthropic'],
    ['Gemini', 'google'],
    ['Mistral', 'mistral'],
    ['Cohere', 'cohere'],
    ['Fireworks', 'fireworks'],
    ['Ollama', 'ollama'],
  ])('maps provider %s to %s', (provider, id) => {
    const raw = parse(HTTP_INTERCEPTOR)
    raw.model_inference = { model_name: 'some-model', provider, prompt_tokens: 1, completion_tokens: 1 }
    expect(accept(raw).provider).toBe(id)
  })

  it('reads a span() child (INTERNAL, with a parent) as an agent step', () => {
    const raw = parse(TRACE_ROOT)
    Object.assign(raw, {
      span_id: 'b4c5d6e7f8091a2b',
      parent_span_id: 'a3ce929d0e0e4736',
      kind: 'INTERNAL',
      agent_id: 'sub-agent',
      agent_name: 'SubAgent',
      agent_role: 'Worker',
      status: { code: 'UNSET' },
    })
    delete raw.compliance_flags
    expect(accept(raw)).toMatchObject({
      kind: 'agent',
      parent_span_id: 'a3ce929d0e0e4736',
      status: 'unset',
      agent: { id: 'sub-agent', name: 'SubAgent', role: 'Worker' },
    })
  })

  it('reads a CLIENT span without model inference as http', () => {
    const raw = parse(HTTP_INTERCEPTOR)
    delete raw.model_inference
    expect(accept(raw)).toMatchObject({ kind: 'http', provider: '', model: '' })
  })

  it('keeps the structured extras of create_span() as JSON attributes', () => {
    const raw = parse(TRACE_ROOT)
    raw.decision_reasoning = 'cheapest model first'
    raw.cost_attribution = { task_id: 't-1', accumulated_cost_usd: 0.42 }
    raw.links = [
      { trace_id: '9c0e8f1d2b3a4c5d6e7f8091a2b3c4d5', span_id: '1a2b3c4d5e6f7081', link_type: 'FOLLOWS_FROM' },
    ]
    const { attributes } = accept(raw)
    expect(attributes).toMatchObject({
      'atp.decision_reasoning': 'cheapest model first',
      'atp.cost_attribution': '{"task_id":"t-1","accumulated_cost_usd":0.42}',
      'atp.links': JSON.stringify(raw.links),
    })
  })

  it('rejects an ATP span with a malformed trace id', () => {
    const raw = parse(TRACE_ROOT)
    raw.trace_id = 'not-hex'
    const result = normalizeSpan(raw, DEFAULT_SPAN_LIMITS, NOW)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toMatch(/^trace_id/)
  })
})
