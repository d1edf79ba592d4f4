import { describe, expect, it } from 'vitest'
import {
  normalizeAdenMetric,
  normalizeOtlpSpan,
  normalizeSpan,
  normalizeTokenomeEvent,
  otlpItems,
  type SpanLimits,
} from '@tollgate/core'

// The configurable caps on tags and attribute values (MAX_TAGS, MAX_TAG_VALUE_BYTES,
// MAX_ATTRIBUTE_VALUE_BYTES): refused per index, or cut with the keys listed.
const NOW = 1_767_225_600_000_000
const LIMITS: SpanLimits = {
  maxTextBytes: 1024,
  maxAttributes: 16,
  maxTags: 3,
  maxTagValueBytes: 8,
  maxAttributeValueBytes: 64,
}
const base = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  start_time: '2026-01-01T00:00:00Z',
  ...extra,
})

describe('tags', () => {
  it.each([
    ['as many tags as the cap', { a: '1', b: '2', c: '3' }, null],
    ['one tag more', { a: '1', b: '2', c: '3', d: '4' }, 'tags: more than 3 keys'],
    ['a value at the cap', { a: '12345678' }, null],
    ['a value one byte over', { a: '123456789' }, 'tags.a: longer than 8 bytes'],
    // 3 characters, 9 bytes: the cap counts UTF-8 bytes, not characters.
    ['multi-byte characters over the cap', { a: '€€€' }, 'tags.a: longer than 8 bytes'],
    ['a number', { n: 1234567 }, null],
  ])('%s', (_, tags, error) => {
    const result = normalizeSpan(base({ tags }), LIMITS, NOW)
    if (error === null) expect(result.ok).toBe(true)
    else expect(result).toEqual({ ok: false, error })
  })

  it.each(['"x"', '{"polluted": "yes"}'])(
    'drops a __proto__ key (value %s): never a prototype, never a 500',
    (value) => {
      const hostile = JSON.parse(`{"__proto__": ${value}, "a": "b"}`) as unknown
      const result = normalizeSpan(base({ tags: hostile, attributes: hostile }), LIMITS, NOW)
      if (!result.ok) throw new Error(result.error)
      expect(result.span.tags).toEqual({ a: 'b' })
      expect(result.span.attributes).toEqual({ a: 'b' })
      expect(Object.getPrototypeOf(result.span.tags)).toBe(Object.prototype)
      expect(Object.getPrototypeOf(result.span.attributes)).toBe(Object.prototype)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    },
  )

  it('defaults to 64 tags of 1,024 bytes when the limits do not say', () => {
    const limits = { maxTextBytes: 1024, maxAttributes: 16 }
    const tags = (n: number, value = 'v') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]))
    expect(normalizeSpan(base({ tags: tags(64, 'x'.repeat(1024)) }), limits, NOW).ok).toBe(true)
    expect(normalizeSpan(base({ tags: tags(65) }), limits, NOW)).toEqual({
      ok: false,
      error: 'tags: more than 64 keys',
    })
    expect(normalizeSpan(base({ tags: tags(1, 'x'.repeat(1025)) }), limits, NOW)).toEqual({
      ok: false,
      error: 'tags.k0: longer than 1024 bytes',
    })
  })
})

describe('attribute values', () => {
  it('cuts strings and structured values over the cap at a character boundary and lists their keys', () => {
    const result = normalizeSpan(
      base({
        attributes: { long: '€'.repeat(30), short: 'kept', n: 1, nested: { text: 'y'.repeat(100) } },
        unknown_field: 'z'.repeat(65),
      }),
      LIMITS,
      NOW,
    )
    if (!result.ok) throw new Error(result.error)
    const a = result.span.attributes
    expect(a.long).toBe('€'.repeat(21)) // 63 bytes: the 22nd € would split at byte 64
    expect(a.short).toBe('kept')
    expect(a.n).toBe(1)
    expect(a.nested).toBe(JSON.stringify({ text: 'y'.repeat(100) }).slice(0, 64))
    expect(a.unknown_field).toBe('z'.repeat(64))
    expect(a['tollgate.truncated_attributes']).toBe('long,nested,unknown_field')
  })

  it('adds no flag when nothing was cut', () => {
    const result = normalizeSpan(base({ attributes: { a: 'x'.repeat(64) } }), LIMITS, NOW)
    if (!result.ok) throw new Error(result.error)
    expect(result.span.attributes).toEqual({ a: 'x'.repeat(64) })
  })

  it('applies to the OTLP door too (every format ends in the native normaliser)', () => {
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 'S/kvNXezTaajzpKdDg5HNg==',
                  spanId: 'APBnqgupArc=',
                  name: 'chat',
                  startTimeUnixNano: '1767225600000000000',
                  endTimeUnixNano: '1767225601000000000',
                  attributes: [{ key: 'app.blob', value: { stringValue: 'b'.repeat(200) } }],
                },
              ],
            },
          ],
        },
      ],
    }
    const [item] = otlpItems(request)
    const result = normalizeOtlpSpan(item, LIMITS, NOW)
    if (!result.ok) throw new Error(result.error)
    expect(result.span.attributes['app.blob']).toBe('b'.repeat(64))
    expect(result.span.attributes['tollgate.truncated_attributes']).toBe('app.blob')
  })
})

describe('OTLP values nested beyond any limit', () => {
  const deep = (n: number): unknown => {
    let v: unknown = { stringValue: 'leaf' }
    for (let i = 0; i < n; i++) v = { kvlistValue: { values: [{ key: 'k', value: v }] } }
    return v
  }
  const request = (spanAttrs: unknown[], resourceAttrs: unknown[] = []) => ({
    resourceSpans: [
      {
        resource: { attributes: resourceAttrs },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
                spanId: '00f067aa0ba902b7',
                name: 'chat',
                startTimeUnixNano: '1767225600000000000',
                attributes: spanAttrs,
                events: [{ name: 'e', attributes: [{ key: 'x', value: deep(20_000) }] }],
              },
            ],
          },
        ],
      },
    ],
  })

  it.each([
    ['an attribute', [{ key: 'deep', value: deep(20_000) }], 'attributes.deep: nested deeper than 64 levels'],
    ['an event attribute', [], 'events.e.x: nested deeper than 64 levels'],
  ])(
    'refuses the span with the path of %s 20,000 deep (the conversion used to overflow the stack)',
    (_, attrs, error) => {
      const [item] = otlpItems(request(attrs))
      expect(normalizeOtlpSpan(item, LIMITS, NOW)).toEqual({ ok: false, error })
    },
  )

  it('refuses the request for a resource attribute 20,000 deep, naming it', () => {
    expect(() => otlpItems(request([], [{ key: 'r', value: deep(20_000) }]))).toThrow(
      'resource.attributes.r: nested deeper than 64 levels',
    )
  })

  it('leaves shallow kvlists to the native limit (65 levels refused there, 10 kept)', () => {
    const one = (n: number) => {
      const r = request([{ key: 'v', value: deep(n) }])
      const span = r.resourceSpans[0]?.scopeSpans[0]?.spans[0]
      if (span) span.events = []
      const [item] = otlpItems(r)
      return normalizeOtlpSpan(item, LIMITS, NOW)
    }
    expect(one(10).ok).toBe(true)
    expect(one(65)).toEqual({ ok: false, error: 'attributes.v: nested deeper than 64 levels' })
  })
})

describe('compat tags that would be stringified', () => {
  const deep = JSON.parse('{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)) as unknown
  it('refuses an aden metadata value nested too deep (JSON.stringify used to overflow)', () => {
    const r = normalizeAdenMetric(
      { event_type: 'metric', data: { model: 'gpt-4o', metadata: { m: deep } } },
      LIMITS,
      NOW,
    )
    expect(r).toEqual({ ok: false, error: 'metadata.m: nested deeper than 64 levels' })
  })

  it('refuses a tokenome tag nested too deep', () => {
    const r = normalizeTokenomeEvent({ event_id: 'e1', operation: 'chat.completions', tags: { t: deep } }, LIMITS, NOW)
    expect(r).toEqual({ ok: false, error: 'tags.t: nested deeper than 64 levels' })
  })
})
