import Anthropic from '@anthropic-ai/sdk'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TollgateClient } from '../src/client.js'
import { currentTraceId } from '../src/context.js'
import { loadPrices, priceOf } from '../src/pricing.js'
import type { Span } from '../src/types.js'
import { FAKE_TEXT, startFakeProvider } from './helpers/fake-provider.js'
import type { FakeProvider } from './helpers/fake-provider.js'
import { tempDir } from './helpers/tmp.js'
import type { Tollgate } from './helpers/tollgate.js'
import { startTollgate } from './helpers/tollgate.js'

interface StoredSpan extends Span {
  cost: { input_usd: number; output_usd: number; total_usd: number } | null
}
interface TraceList {
  traces: {
    trace_id: string
    span_count: number
    input_tokens: number
    output_tokens: number
    total_cost_usd: number
  }[]
}

let tollgate: Tollgate
let provider: FakeProvider
let client: TollgateClient
let tmp: ReturnType<typeof tempDir>
const messages = [{ role: 'user' as const, content: 'Say hello' }]

beforeAll(async () => {
  tmp = tempDir()
  await loadPrices()
  ;[tollgate, provider] = await Promise.all([startTollgate(join(tmp.dir, 'data')), startFakeProvider()])
  client = new TollgateClient(
    { endpoint: tollgate.url, spoolPath: join(tmp.dir, 'spool.sqlite'), policyPollIntervalMs: 0 },
    { env: {} },
  ).start()
  client.instrument()
}, 120_000)
afterAll(async () => {
  await client?.shutdown(1000)
  await Promise.all([tollgate?.stop(), provider?.close()])
  tmp.cleanup()
})

async function spansOf(traceId: string, n: number): Promise<StoredSpan[]> {
  const until = Date.now() + 15_000
  for (;;) {
    await client.flush()
    const r = await fetch(`${tollgate.url}/api/traces/${traceId}/spans`)
    if (r.ok) {
      const body = (await r.json()) as { spans: StoredSpan[] }
      if (body.spans.length >= n) return body.spans
    }
    if (Date.now() > until) throw new Error(`trace ${traceId}: fewer than ${n} spans`)
    await new Promise((res) => setTimeout(res, 100))
  }
}

describe('end to end against a real Tollgate', () => {
  it('OpenAI: tokens, cost and ttft arrive as measured; the stream is identical to an uninstrumented one', async () => {
    const openai = new OpenAI({ apiKey: 'k', baseURL: provider.openaiBase, maxRetries: 0 })
    provider.eventDelayMs = 5
    const params = { model: 'gpt-4o-mini', messages, stream: true as const, stream_options: { include_usage: true } }
    const read = async () => {
      const chunks: unknown[] = []
      for await (const c of await openai.chat.completions.create(params)) chunks.push(c)
      return chunks
    }
    let streamed: unknown[] = []
    let traceId = ''
    await client.trace('e2e-openai', async () => {
      traceId = currentTraceId() ?? ''
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
      streamed = await read()
    })
    client.uninstrument()
    const plain = await read()
    client.instrument()
    expect(streamed).toEqual(plain)

    const spans = await spansOf(traceId, 3)
    const llm = spans.filter((s) => s.name === 'openai.chat')
    expect(llm).toHaveLength(2)
    const expectedCost =
      priceOf('openai', 'gpt-4o-mini', { input_tokens: 11, output_tokens: 6, cache_read_tokens: 3 })?.total_usd ?? 0
    expect(expectedCost).toBeGreaterThan(0)
    for (const s of llm) {
      expect(s.usage).toMatchObject({
        input_tokens: 11,
        output_tokens: 6,
        total_tokens: 17,
        cache_read_tokens: 3,
        reasoning_tokens: 2,
      })
      expect(s.cost?.total_usd).toBeCloseTo(expectedCost, 12)
    }
    const stream = llm.find((s) => s.stream)
    expect(stream?.ttft_ms).toBeGreaterThan(0)
    // Five 5 ms gaps between events: the first token came well before the end.
    const duration = Date.parse(String(stream?.end_time)) - Date.parse(String(stream?.start_time))
    expect(stream?.ttft_ms).toBeLessThan(duration)
    expect(stream?.output).toBe(FAKE_TEXT)
    // A 202 is durable, not yet queryable: the list shows the trace within a second or so.
    let summary: TraceList['traces'][number] | undefined
    for (let i = 0; i < 100 && summary?.input_tokens !== 22; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100))
      summary = (await tollgate.get<TraceList>('/api/traces')).traces.find((t) => t.trace_id === stream?.trace_id)
    }
    expect(summary).toMatchObject({ input_tokens: 22, output_tokens: 12 })
    expect(summary?.total_cost_usd).toBeCloseTo(expectedCost * 2, 12)
  })

  it('Anthropic: cache tokens normalised, priced once, attributed to the agent', async () => {
    const anthropic = new Anthropic({ apiKey: 'k', baseURL: provider.url, maxRetries: 0 })
    provider.eventDelayMs = 2
    const model = 'claude-3-5-haiku-20241022'
    await client.trace('e2e-anthropic', () =>
      client.agent({ name: 'Summariser', role: 'writer' }, async () => {
        const stream = await anthropic.messages.create({ model, max_tokens: 50, messages, stream: true })
        for await (const _ of stream) {
          // consume
        }
      }),
    )
    const spans = await spansOf(await findTrace('e2e-anthropic'), 3)
    const llm = spans.find((s) => s.name === 'anthropic.chat')
    const usage = {
      input_tokens: 170,
      output_tokens: 8,
      total_tokens: 178,
      cache_read_tokens: 100,
      cache_write_tokens: 50,
    }
    expect(llm?.usage).toMatchObject(usage)
    const expected = priceOf('anthropic', model, usage)?.total_usd ?? 0
    expect(expected).toBeGreaterThan(0)
    expect(llm?.cost?.total_usd).toBeCloseTo(expected, 12)
    expect(llm?.agent).toMatchObject({ id: 'summariser', name: 'Summariser', role: 'writer' })
    expect(llm?.ttft_ms).toBeGreaterThan(0)
  })

  it('stores each span once however often it is flushed', async () => {
    client.trace('e2e-once', () => client.report({ name: 'leaf' }))
    const id = await findTrace('e2e-once')
    await client.flush()
    await client.flush()
    expect(await spansOf(id, 2)).toHaveLength(2)
  })
})

async function findTrace(name: string): Promise<string> {
  const until = Date.now() + 15_000
  for (;;) {
    await client.flush()
    const list = await tollgate.get<{ traces: { trace_id: string; name: string }[] }>('/api/traces?limit=100')
    const hit = list.traces.find((t) => t.name === name)
    if (hit) return hit.trace_id
    if (Date.now() > until) throw new Error(`no trace named ${name}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
