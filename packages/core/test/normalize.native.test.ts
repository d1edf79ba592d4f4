import { describe, expect, it } from 'vitest'
import { SPAN_ID_RE, TRACE_ID_RE, normalizeSpan, type Span, type SpanLimits } from '@tollgate/core'

const LIMITS: SpanLimits = { maxTextBytes: 1024, maxAttributes: 8 }
/** 2026-01-01T00:00:00Z in µs: the "now" of every test. */
const NOW = 1_767_225_600_000_000
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const PARENT = 'a3ce929d0e0e4736'

const base = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  trace_id: TRACE,
  span_id: SPAN,
  name: 'openai.chat.completions',
  start_time: '2026-01-01T00:00:00Z',
  end_time: '2026-01-01T00:00:01.5Z',
  ...extra,
})

function accept(raw: unknown, limits: SpanLimits = LIMITS): Span {
  const result = normalizeSpan(raw, limits, NOW)
  if (!result.ok) throw new Error(`rejected: ${result.error}`)
  return result.span
}

function reject(raw: unknown, limits: SpanLimits = LIMITS): string {
  const result = normalizeSpan(raw, limits, NOW)
  if (result.ok) throw new Error('expected the span to be rejected')
  return result.error
}

describe('normalizeSpan (native): defaults', () => {
  it('fills every field of an empty span', () => {
    const s = accept({})
    expect(s.trace_id).toMatch(TRACE_ID_RE)
    expect(s.span_id).toMatch(SPAN_ID_RE)
    expect(s).toEqual({
      trace_id: s.trace_id,
      span_id: s.span_id,
      parent_span_id: null,
      name: 'span',
      kind: 'other',
      start_us: NOW,
      end_us: NOW,
      status: 'unset',
      error_message: null,
      provider: '',
      model: '',
      response_model: '',
      operation: '',
      stream: false,
      ttft_ms: null,
      usage: {
        input_tokens: 0,
        output_tokens: 0,
        total_tokens: 0,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
      },
      cost: null,
      agent: null,
      user_id: null,
      session_id: null,
      tags: {},
      input: null,
      output: null,
      input_truncated: false,
      output_truncated: false,
      attributes: {},
      source: 'native',
    })
  })

  it('generates distinct ids for spans that carry none', () => {
    const a = accept({})
    const b = accept({})
    expect(a.trace_id).not.toBe(b.trace_id)
    expect(a.span_id).not.toBe(b.span_id)
  })

  it('treats null like an absent field', () => {
    const s = accept({
      trace_id: null,
      span_id: null,
      parent_span_id: null,
      name: null,
      kind: null,
      start_time: null,
      end_time: null,
      status: null,
      provider: null,
      model: null,
      usage: null,
      cost: null,
      agent: null,
      user_id: null,
      tags: null,
      input: null,
      output: null,
      attributes: null,
    })
    expect(s).toMatchObject({
      parent_span_id: null,
      name: 'span',
      kind: 'other',
      start_us: NOW,
      end_us: NOW,
      status: 'unset',
      cost: null,
      agent: null,
      attributes: {},
    })
  })

  it('names a nameless span after provider and operation, and lower-cases them', () => {
    expect(accept({ provider: 'OpenAI', operation: 'Chat' })).toMatchObject({
      name: 'openai.chat',
      provider: 'openai',
      operation: 'chat',
      kind: 'llm',
    })
    expect(accept({ provider: 'Together AI' }).name).toBe('together')
    expect(accept({ name: '  ', operation: 'embeddings' }).name).toBe('embeddings')
  })

  it('ends a span without end_time at its start', () => {
    expect(accept({ start_time: '2026-01-01T00:00:05Z' })).toMatchObject({
      start_us: NOW + 5_000_000,
      end_us: NOW + 5_000_000,
    })
  })

  it.each([
    ['RFC 3339', '2026-01-01T00:00:00.25Z', '2026-01-01T00:00:01Z', NOW + 250_000, NOW + 1_000_000],
    ['RFC 3339 with an offset', '2026-01-01T01:00:00+01:00', '2026-01-01T01:00:02+01:00', NOW, NOW + 2_000_000],
    ['epoch ms', 1_767_225_600_000, 1_767_225_600_250, NOW, NOW + 250_000],
    ['epoch ns', 1_767_225_600_000_000_000, 1_767_225_600_500_000_000, NOW, NOW + 500_000],
    ['epoch ms as strings', '1767225600000', '1767225600001', NOW, NOW + 1000],
  ])('reads times given as %s', (_form, start_time, end_time, start, end) => {
    expect(accept(base({ start_time, end_time }))).toMatchObject({ start_us: start, end_us: end })
  })

  it('keeps tags as strings and agents with a derived id', () => {
    const s = accept(
      base({ tags: { tier: 'gold', attempt: 2, beta: true }, agent: { name: 'Research Bot', role: 'researcher' } }),
    )
    expect(s.tags).toEqual({ tier: 'gold', attempt: '2', beta: 'true' })
    expect(s.agent).toEqual({ id: 'research-bot', name: 'Research Bot', role: 'researcher', parent_id: null })
    expect(accept(base({ agent: { id: 'planner', parent_id: 'boss' } })).agent).toEqual({
      id: 'planner',
      name: 'planner',
      role: '',
      parent_id: 'boss',
    })
    expect(accept(base({ agent: {} })).agent).toBeNull()
  })

  it.each([
    [
      'all three parts',
      { input_usd: 0.25, output_usd: 0.5, total_usd: 0.75 },
      { input_usd: 0.25, output_usd: 0.5, total_usd: 0.75 },
    ],
    ['only the total', { total_usd: 0.5 }, { input_usd: 0, output_usd: 0, total_usd: 0.5 }],
    ['only the parts', { input_usd: 0.25, output_usd: 0.5 }, { input_usd: 0.25, output_usd: 0.5, total_usd: 0.75 }],
    ['a zero cost', { total_usd: 0 }, { input_usd: 0, output_usd: 0, total_usd: 0 }],
    ['an empty object', {}, null],
  ])('reads a reported cost given as %s', (_name, cost, expected) => {
    expect(accept(base({ cost })).cost).toEqual(expected)
  })
})

describe('normalizeSpan (native): unknown top-level fields go to attributes', () => {
  it.each<[string, unknown, unknown]>([
    ['a string', 'priority', 'priority'],
    ['a number', 3, 3],
    ['a boolean', false, false],
    ['an object, as JSON text', { region: 'eu', zone: 2 }, '{"region":"eu","zone":2}'],
    ['an array, as JSON text', [1, 'two'], '[1,"two"]'],
  ])('%s', (_name, value, expected) => {
    expect(accept(base({ custom_field: value })).attributes).toEqual({ custom_field: expected })
  })

  it('drops a null unknown field rather than storing "null"', () => {
    expect(accept(base({ custom_field: null })).attributes).toEqual({})
  })

  it('merges them with explicit attributes, which win on a clash', () => {
    const s = accept(
      base({
        attributes: { 'gen_ai.system': 'openai', clash: 'explicit', nested: { a: [1] } },
        clash: 'top-level',
        region: 'eu',
      }),
    )
    expect(s.attributes).toEqual({ 'gen_ai.system': 'openai', clash: 'explicit', nested: '{"a":[1]}', region: 'eu' })
  })

  // A native producer that flattens its agent id must not have its span reread as an ATP span: that
  // path replaces start_time/end_time by "now", forces kind=agent and drops the fields.
  it('keeps a native span with a flat agent_id native: its times, kind and agent id survive', () => {
    const s = accept(
      base({
        model: 'gpt-4o',
        provider: 'openai',
        agent_id: 'support-bot',
        start_time: '2026-01-01T00:00:30Z',
        end_time: '2026-01-01T00:00:31.5Z',
      }),
    )
    expect(s).toMatchObject({
      kind: 'llm',
      start_us: NOW + 30_000_000,
      end_us: NOW + 31_500_000,
      name: 'openai.chat.completions',
    })
    expect(s.agent?.id ?? s.attributes.agent_id).toBe('support-bot')
  })
})

describe('normalizeSpan (native): kind', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a known kind', { kind: 'tool' }, 'tool'],
    ['a known kind in capitals', { kind: 'RETRIEVAL' }, 'retrieval'],
    ['no kind, a model', { model: 'gpt-4o' }, 'llm'],
    ['no kind, a provider', { provider: 'anthropic' }, 'llm'],
    ['an empty kind, a model', { kind: '', model: 'gpt-4o' }, 'llm'],
    ['no kind, no model or provider', {}, 'other'],
    ['an unknown kind, even with a model', { kind: 'CLIENT', model: 'gpt-4o' }, 'other'],
    ['explicit kind beats a model', { kind: 'embedding', model: 'text-embedding-3-small' }, 'embedding'],
  ])('%s → %s', (_name, extra, kind) => {
    expect(accept(base(extra)).kind).toBe(kind)
  })
})

describe('normalizeSpan (native): status', () => {
  it.each<[string, unknown, string, string | null]>([
    ['ok', 'ok', 'ok', null],
    ['OK', 'OK', 'ok', null],
    ['error', 'error', 'error', null],
    ['ERROR', 'ERROR', 'error', null],
    ['unset', 'unset', 'unset', null],
    ['success', 'success', 'ok', null],
    ['STATUS_CODE_ERROR (OTLP enum name)', 'STATUS_CODE_ERROR', 'error', null],
    ['STATUS_CODE_OK', 'STATUS_CODE_OK', 'ok', null],
    ['STATUS_CODE_UNSET', 'STATUS_CODE_UNSET', 'unset', null],
    ['{ code: "STATUS_CODE_ERROR" }', { code: 'STATUS_CODE_ERROR', message: 'boom' }, 'error', 'boom'],
    ['an unknown word', 'weird', 'unset', null],
    ['{ code: "ERROR", message }', { code: 'ERROR', message: 'boom' }, 'error', 'boom'],
    ['{ code: "OK" }', { code: 'OK' }, 'ok', null],
    ['{ code: "UNSET" }', { code: 'UNSET' }, 'unset', null],
    ['{ code: 2, message } (OTLP number)', { code: 2, message: 'timeout' }, 'error', 'timeout'],
    ['{ code: 1 }', { code: 1 }, 'ok', null],
    ['{ code: 0 }', { code: 0 }, 'unset', null],
  ])('%s', (_name, status, expected, message) => {
    expect(accept(base({ status }))).toMatchObject({ status: expected, error_message: message })
  })

  it('prefers error_message over the status message', () => {
    expect(
      accept(base({ status: { code: 'ERROR', message: 'from status' }, error_message: 'explicit' })).error_message,
    ).toBe('explicit')
  })

  it('cuts an error message to 4 KiB', () => {
    const s = accept(base({ status: 'error', error_message: 'x'.repeat(5000) }))
    expect(s.error_message).toBe('x'.repeat(4096))
  })
})

describe('normalizeSpan (native): usage', () => {
  it.each<[string, Record<string, unknown>, Record<string, number>]>([
    [
      'wire names',
      { input_tokens: 100, output_tokens: 20 },
      { input_tokens: 100, output_tokens: 20, total_tokens: 120 },
    ],
    [
      'OpenAI aliases',
      { prompt_tokens: 100, completion_tokens: 20 },
      { input_tokens: 100, output_tokens: 20, total_tokens: 120 },
    ],
    [
      'wire names win over aliases',
      { input_tokens: 7, prompt_tokens: 100, output_tokens: 3, completion_tokens: 20 },
      { input_tokens: 7, output_tokens: 3, total_tokens: 10 },
    ],
    ['a reported total kept', { input_tokens: 100, output_tokens: 20, total_tokens: 125 }, { total_tokens: 125 }],
    [
      'cache and reasoning inside the totals',
      { input_tokens: 100, output_tokens: 50, cache_read_tokens: 60, cache_write_tokens: 40, reasoning_tokens: 50 },
      { input_tokens: 100, cache_read_tokens: 60, cache_write_tokens: 40, output_tokens: 50, reasoning_tokens: 50 },
    ],
    [
      'nulls as zero',
      { input_tokens: null, output_tokens: 5, cache_read_tokens: null },
      { input_tokens: 0, output_tokens: 5, cache_read_tokens: 0 },
    ],
  ])('%s', (_name, usage, expected) => {
    expect(accept(base({ usage })).usage).toMatchObject(expected)
  })

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['cache reads above input', { input_tokens: 10, cache_read_tokens: 11 }, /cache_read_tokens/],
    [
      'cache reads + writes above input',
      { input_tokens: 10, cache_read_tokens: 6, cache_write_tokens: 5 },
      /cache_read_tokens \+ cache_write_tokens/,
    ],
    ['cache reads via the prompt_tokens alias', { prompt_tokens: 10, cache_read_tokens: 11 }, /cache_read_tokens/],
    ['reasoning above output', { output_tokens: 10, reasoning_tokens: 11 }, /reasoning_tokens/],
    ['negative tokens', { input_tokens: -1 }, /usage\.input_tokens/],
    ['fractional tokens', { output_tokens: 1.5 }, /usage\.output_tokens/],
    ['tokens as strings', { input_tokens: '100' }, /usage\.input_tokens/],
  ])('rejects %s', (_name, usage, error) => {
    expect(reject(base({ usage }))).toMatch(error)
  })
})

describe('normalizeSpan (native): text limits', () => {
  it.each<[string, string, string, boolean]>([
    ['ASCII at the limit', 'a'.repeat(1024), 'a'.repeat(1024), false],
    ['ASCII one byte over', 'a'.repeat(1025), 'a'.repeat(1024), true],
    // 2-byte characters: 1024 bytes hold exactly 512.
    ['2-byte characters over', 'é'.repeat(600), 'é'.repeat(512), true],
    // 3-byte characters: the cut steps back to 1023 bytes rather than split one.
    ['3-byte characters over', '€'.repeat(400), '€'.repeat(341), true],
    // 4-byte characters: 1024 bytes hold 256.
    ['4-byte characters over', '🙂'.repeat(300), '🙂'.repeat(256), true],
  ])('input: %s', (_name, input, expected, truncated) => {
    const s = accept(base({ input }))
    expect(s.input).toBe(expected)
    expect(s.input_truncated).toBe(truncated)
    expect(Buffer.byteLength(s.input ?? '', 'utf8')).toBeLessThanOrEqual(1024)
  })

  it('truncates output independently and flags it', () => {
    const s = accept(base({ input: 'short', output: 'b'.repeat(2000) }))
    expect(s).toMatchObject({
      input: 'short',
      input_truncated: false,
      output: 'b'.repeat(1024),
      output_truncated: true,
    })
  })

  it('keeps structured input as JSON text, truncated like any text', () => {
    const messages = [{ role: 'user', content: 'Hello' }]
    expect(accept(base({ input: messages })).input).toBe(JSON.stringify(messages))
    const long = [{ role: 'user', content: 'x'.repeat(2000) }]
    const s = accept(base({ input: long }))
    expect(s.input_truncated).toBe(true)
    expect(s.input).toBe(JSON.stringify(long).slice(0, 1024))
  })

  it('keeps null and empty text apart', () => {
    expect(accept(base({ input: null, output: '' }))).toMatchObject({ input: null, output: '' })
  })

  it('accepts attributes up to the limit and rejects one more', () => {
    const attrs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))
    expect(Object.keys(accept(base({ attributes: attrs(8) })).attributes)).toHaveLength(8)
    expect(reject(base({ attributes: attrs(9) }))).toMatch(/^attributes: more than 8 keys/)
  })

  it('counts unknown top-level fields against the attribute limit', () => {
    const attrs = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, i]))
    expect(reject(base({ attributes: attrs, extra_field: 'x' }))).toMatch(/attributes/)
  })
})

describe('normalizeSpan (native): ids and times', () => {
  it('lower-cases ids and accepts a UUID trace id', () => {
    expect(
      accept(
        base({ trace_id: TRACE.toUpperCase(), span_id: SPAN.toUpperCase(), parent_span_id: PARENT.toUpperCase() }),
      ),
    ).toMatchObject({ trace_id: TRACE, span_id: SPAN, parent_span_id: PARENT })
    expect(accept(base({ trace_id: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736' })).trace_id).toBe(TRACE)
  })

  it('reads an empty parent_span_id as no parent', () => {
    expect(accept(base({ parent_span_id: '' })).parent_span_id).toBeNull()
  })

  // ids.ts: "A UUID used as a span id keeps its first 16 hex digits; the full value is kept in attributes by the caller."
  it('keeps the full UUID of a span id it shortens', () => {
    const uuid = '9b2f6c1e-4d3a-4f7b-8c9d-0e1f2a3b4c5d'
    const s = accept(base({ span_id: uuid }))
    expect(s.span_id).toBe('9b2f6c1e4d3a4f7b')
    expect(Object.values(s.attributes)).toContain(uuid)
  })

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a non-hex trace id', { trace_id: 'not-a-trace-id' }, /^trace_id/],
    ['a 31-digit trace id', { trace_id: TRACE.slice(1) }, /^trace_id/],
    ['a span id as trace id', { trace_id: SPAN }, /^trace_id/],
    ['a numeric trace id', { trace_id: 12345 }, /^trace_id/],
    ['a non-hex span id', { span_id: 'zzzzzzzzzzzzzzzz' }, /^span_id/],
    ['a 15-digit span id', { span_id: SPAN.slice(1) }, /^span_id/],
    ['a non-hex parent id', { parent_span_id: 'parent' }, /^parent_span_id/],
    ['an unreadable start_time', { start_time: 'yesterday' }, /^start_time/],
    ['an unreadable end_time', { end_time: '2026-13-01T00:00:00Z' }, /^end_time/],
    ['a negative start_time', { start_time: -5 }, /^start_time/],
    [
      'end before start',
      { start_time: '2026-01-01T00:00:01Z', end_time: '2026-01-01T00:00:00Z' },
      /end_time: before start_time/,
    ],
    ['a name over 256 characters', { name: 'n'.repeat(257) }, /^name/],
    ['a non-boolean stream', { stream: 'yes' }, /^stream/],
    ['a negative reported cost', { cost: { total_usd: -1 } }, /^cost\.total_usd/],
  ])('rejects %s', (_name, extra, error) => {
    expect(reject(base(extra))).toMatch(error)
  })

  it.each<[string, unknown]>([
    ['an array', []],
    ['null', null],
    ['a string', 'span'],
  ])('rejects %s as a span', (_name, raw) => {
    expect(reject(raw)).toMatch(/expected object/)
  })
})
