import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { currentTraceId } from '../src/context.js'
import { FAKE_TEXT } from './helpers/fake-provider.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

let h: Harness
let openai: OpenAI
const messages = [{ role: 'user' as const, content: 'Say hello' }]
const tools = [
  {
    type: 'function' as const,
    function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  },
]

beforeAll(async () => {
  h = await startHarness({ durability: 'best_effort' })
})
afterAll(() => h.close())
beforeEach(async () => {
  await h.reset()
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: h.provider.openaiBase, maxRetries: 0 })
})

async function collect(
  stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>,
): Promise<OpenAI.Chat.Completions.ChatCompletionChunk[]> {
  const out = []
  for await (const c of stream) out.push(c)
  return out
}

describe('openai package, instrumented through the global fetch', () => {
  it('captures a non-streamed chat completion: model, usage with cached and reasoning tokens, request id, content', async () => {
    const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    expect(r.choices[0]?.message.content).toBe(FAKE_TEXT)
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({
      name: 'openai.chat',
      kind: 'llm',
      provider: 'openai',
      model: 'gpt-4o-mini',
      response_model: 'gpt-4o-mini-2024-07-18',
      operation: 'chat',
      stream: false,
      status: 'ok',
      ttft_ms: null,
      usage: { input_tokens: 11, output_tokens: 6, total_tokens: 17, cache_read_tokens: 3, reasoning_tokens: 2 },
      input: messages,
      output: FAKE_TEXT,
      attributes: { request_id: 'req_fake_1', http_status: 200, finish_reason: 'stop' },
    })
    expect(Date.parse(String(span?.end_time))).toBeGreaterThanOrEqual(Date.parse(String(span?.start_time)))
  })

  it('captures a stream: usage from the final chunk, time to first token, same chunks as uninstrumented', async () => {
    h.provider.eventDelayMs = 5
    const params = { model: 'gpt-4o-mini', messages, stream: true as const, stream_options: { include_usage: true } }
    const instrumented = await collect(await openai.chat.completions.create(params))
    const [span] = await h.waitSpans(1)
    h.client.uninstrument()
    const plain = await collect(await openai.chat.completions.create(params))
    h.client.instrument()
    expect(instrumented).toEqual(plain)
    expect(instrumented.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(FAKE_TEXT)
    expect(span).toMatchObject({
      stream: true,
      output: FAKE_TEXT,
      usage: { input_tokens: 11, output_tokens: 6, total_tokens: 17 },
    })
    const duration = Date.parse(String(span?.end_time)) - Date.parse(String(span?.start_time))
    expect(span?.ttft_ms).toBeGreaterThan(0)
    expect(span?.ttft_ms).toBeLessThanOrEqual(duration + 1)
  })

  it('leaves the bytes of the stream untouched', async () => {
    const params = { model: 'gpt-4o-mini', messages, stream: true as const }
    const bytes = async () =>
      Buffer.from(await (await openai.chat.completions.create(params).asResponse()).arrayBuffer())
    const instrumented = await bytes()
    h.client.uninstrument()
    const plain = await bytes()
    h.client.instrument()
    expect(instrumented.equals(plain)).toBe(true)
    expect(instrumented.length).toBeGreaterThan(500)
  })

  it('flags a stream without usage instead of inventing token counts', async () => {
    await collect(await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }))
    const [span] = await h.waitSpans(1)
    expect(span?.usage).toBeUndefined()
    expect(span?.attributes).toMatchObject({ usage_missing: true })
  })

  it('captures tool calls, streamed and not', async () => {
    const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })
    expect(r.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather' } })
    await collect(await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, stream: true }))
    const spans = await h.waitSpans(2)
    for (const span of spans) {
      expect(span.output).toEqual({
        content: null,
        tool_calls: [expect.objectContaining({ name: 'get_weather', arguments: '{"city":"Paris"}' })],
      })
      expect(span.attributes).toMatchObject({
        tool_call_count: 1,
        tool_names: 'get_weather',
        finish_reason: 'tool_calls',
      })
    }
  })

  it.each([
    [400, OpenAI.BadRequestError],
    [404, OpenAI.NotFoundError],
    [429, OpenAI.RateLimitError],
    [500, OpenAI.InternalServerError],
    [503, OpenAI.InternalServerError],
  ])('passes a %i through unchanged and records it as an error span', async (status, ErrorClass) => {
    const err = await openai.chat.completions.create({ model: `error-${status}`, messages }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ErrorClass)
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(status)
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({
      status: 'error',
      error_message: `fake ${status} error`,
      attributes: { http_status: status },
    })
  })

  it('records a connection failure and rethrows the client error', async () => {
    const dead = new OpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 })
    await expect(dead.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionError,
    )
    const [span] = await h.waitSpans(1)
    expect(span?.status).toBe('error')
    expect(span?.error_message).toMatch(/fetch failed|ECONNREFUSED/)
  })

  it('records a stream the application abandons as aborted', async () => {
    h.provider.eventDelayMs = 5
    const errorsBefore = h.client.getState().global.errors_last_5min
    const stream = await openai.chat.completions.create({ model: 'slow-model', messages, stream: true })
    let n = 0
    for await (const _ of stream) if (++n === 3) break
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({
      status: 'error',
      error_message: 'aborted by the client',
      attributes: { aborted: true },
    })
    expect(span?.ttft_ms).toBeGreaterThan(0)
    // An abort is the client's choice, not a provider failure: the error rate is untouched.
    expect(h.client.getState().global.errors_last_5min).toBe(errorsBefore)
    expect(h.client.getState().global.calls_last_5min).toBeGreaterThan(errorsBefore)
  })

  it('captures the Responses API, streamed and not', async () => {
    const r = await openai.responses.create({ model: 'gpt-4.1', input: 'Say hello', instructions: 'Be brief' })
    expect(r.output_text).toBe(FAKE_TEXT)
    let text = ''
    for await (const e of await openai.responses.create({ model: 'gpt-4.1', input: 'Say hello', stream: true })) {
      if (e.type === 'response.output_text.delta') text += e.delta
    }
    expect(text).toBe(FAKE_TEXT)
    const spans = await h.waitSpans(2)
    for (const span of spans) {
      expect(span).toMatchObject({
        name: 'openai.responses',
        operation: 'responses',
        model: 'gpt-4.1',
        response_model: 'gpt-4.1-2025-04-14',
        output: FAKE_TEXT,
        usage: { input_tokens: 12, output_tokens: 7, total_tokens: 19, cache_read_tokens: 4, reasoning_tokens: 3 },
      })
    }
    expect(spans[0]?.input).toEqual({ instructions: 'Be brief', input: 'Say hello' })
    expect(spans[1]?.ttft_ms).toBeGreaterThan(0)
  })

  it('captures embeddings as embedding spans', async () => {
    await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' })
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({
      kind: 'embedding',
      operation: 'embeddings',
      usage: { input_tokens: 4, total_tokens: 4 },
    })
  })

  it('nests calls under the current trace', async () => {
    let traceId: string | undefined
    await h.client.trace('answer', async () => {
      traceId = currentTraceId()
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    })
    const spans = await h.waitSpans(2)
    const root = spans.find((s) => s.name === 'answer')
    const llm = spans.find((s) => s.name === 'openai.chat')
    expect(root?.trace_id).toBe(traceId)
    expect(llm?.trace_id).toBe(traceId)
    expect(llm?.parent_span_id).toBe(root?.span_id)
  })
})

describe('clients that are not patched globally', () => {
  it('captures a client created before instrument() (its fetch reference predates the patch)', async () => {
    h.client.uninstrument()
    const early = new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 })
    h.client.instrument()
    await early.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({ model: 'gpt-4o-mini', input: messages, usage: { total_tokens: 17 } })
  })

  it('wrapOpenAI-style wrapping captures one client without any global patch', async () => {
    h.client.uninstrument()
    try {
      const original = globalThis.fetch
      const wrapped = h.client.wrap(new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 }))
      const plain = new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 })
      expect(globalThis.fetch).toBe(original)
      await wrapped.chat.completions.create({ model: 'wrapped-model', messages })
      await plain.chat.completions.create({ model: 'plain-model', messages })
      const spans = await h.waitSpans(1)
      expect(spans.map((s) => s.model)).toEqual(['wrapped-model'])
    } finally {
      h.client.instrument()
    }
  })
})
