import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import OpenAI from 'openai'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { extract, inject, parseB3 } from '../src/propagation.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

let h: Harness
beforeEach(async () => {
  h = await startHarness({ durability: 'best_effort' })
})
afterEach(() => h.close())

describe('inject / extract', () => {
  it.each(['w3c', 'b3'] as const)('one trace spans two services (%s headers)', async (format) => {
    const openai = new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 })
    // Service B: continues whatever trace the caller propagated, and calls a model.
    const b = createServer((req, res) => {
      const remote = extract(req.headers)
      void h.client
        .trace(
          'service-b',
          () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
          { traceparent: remote?.traceparent },
        )
        .then(
          () => res.end('ok'),
          () => res.writeHead(500).end(),
        )
    })
    await new Promise<void>((r) => b.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(b.address() as AddressInfo).port}/`
    try {
      await h.client.trace('service-a', async () => {
        const res = await fetch(url, { headers: inject({}, format) })
        expect(await res.text()).toBe('ok')
      })
    } finally {
      b.close()
    }
    const spans = await h.waitSpans(3)
    const a = spans.find((s) => s.name === 'service-a')
    const root = spans.find((s) => s.name === 'service-b')
    const llm = spans.find((s) => s.kind === 'llm')
    expect(new Set(spans.map((s) => s.trace_id))).toEqual(new Set([a?.trace_id]))
    expect(root?.parent_span_id).toBe(a?.span_id)
    expect(llm?.parent_span_id).toBe(root?.span_id)
  })

  it('inject writes both headers on request, into a Headers object too, and nothing outside a trace', () => {
    expect(inject({})).toEqual({})
    h.client.trace('t', () => {
      const headers = inject(new Headers(), 'both')
      const w3c = extract({ traceparent: headers.get('traceparent') ?? '' })
      const b3 = extract({ b3: headers.get('b3') ?? '' })
      expect(w3c?.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(b3).toEqual(w3c)
    })
  })

  it('extract: W3C before B3, 64-bit B3 ids padded, malformed or all-zero headers ignored', () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    expect(extract({ Traceparent: tp, b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1' })).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      sampled: true,
      traceparent: tp,
    })
    expect(parseB3('e457b5a2e4d86bd1-05e3ac9a4f6e3b90-0')).toEqual({
      traceId: '0000000000000000e457b5a2e4d86bd1',
      parentSpanId: '05e3ac9a4f6e3b90',
      sampled: false,
    })
    expect(extract({ traceparent: ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'] })?.parentSpanId).toBe(
      'b7ad6b7169203331',
    )
    for (const bad of [
      '1',
      'd',
      'zz-yy',
      '00000000000000000000000000000000-05e3ac9a4f6e3b90-1',
      'e457b5a2e4d86bd1-0000000000000000',
    ])
      expect(extract({ b3: bad })).toBeUndefined()
    expect(extract({ traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' })).toBeUndefined()
  })
})
