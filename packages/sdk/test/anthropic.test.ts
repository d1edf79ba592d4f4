import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FAKE_TEXT } from './helpers/fake-provider.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

let h: Harness
let anthropic: Anthropic
const messages = [{ role: 'user' as const, content: 'Say hello' }]
const tools = [
  { name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } },
]
// Anthropic's input_tokens (20) excludes cache reads (100) and writes (50); the span's includes them.
const USAGE = { input_tokens: 170, output_tokens: 8, total_tokens: 178, cache_read_tokens: 100, cache_write_tokens: 50 }

beforeAll(async () => {
  h = await startHarness({ durability: 'best_effort' })
})
afterAll(() => h.close())
beforeEach(async () => {
  await h.reset()
  anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: h.provider.url, maxRetries: 0 })
})

describe('@anthropic-ai/sdk, instrumented', () => {
  it('captures a message with usage normalised to include cache tokens', async () => {
    const m = await anthropic.messages.create({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 100,
      system: 'Be brief',
      messages,
    })
    expect(m.content[0]).toMatchObject({ type: 'text', text: FAKE_TEXT })
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({
      name: 'anthropic.chat',
      provider: 'anthropic',
      model: 'claude-3-5-haiku-latest',
      stream: false,
      status: 'ok',
      usage: USAGE,
      input: { system: 'Be brief', messages },
      output: FAKE_TEXT,
      attributes: { request_id: 'req_fake_1', response_id: 'msg_1', finish_reason: 'end_turn' },
    })
  })

  it('captures a stream: usage from message_start and message_delta, ttft, unchanged events', async () => {
    h.provider.eventDelayMs = 3
    const params = { model: 'claude-3-5-haiku-latest', max_tokens: 100, messages, stream: true as const }
    const read = async () => {
      const events: unknown[] = []
      for await (const e of await anthropic.messages.create(params)) events.push(e)
      return events
    }
    const instrumented = await read()
    const [span] = await h.waitSpans(1)
    h.client.uninstrument()
    const plain = await read()
    h.client.instrument()
    expect(instrumented).toEqual(plain)
    expect(span).toMatchObject({ stream: true, usage: USAGE, output: FAKE_TEXT })
    expect(span?.ttft_ms).toBeGreaterThan(0)
  })

  it('captures tool use, streamed and not', async () => {
    await anthropic.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 100, messages, tools })
    const s = anthropic.messages.stream({ model: 'claude-3-5-haiku-latest', max_tokens: 100, messages, tools })
    const final = await s.finalMessage()
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } })
    const spans = await h.waitSpans(2)
    for (const span of spans) {
      expect(span.output).toEqual({
        content: null,
        tool_calls: [expect.objectContaining({ name: 'get_weather', arguments: '{"city":"Paris"}' })],
      })
      expect(span.attributes).toMatchObject({ tool_names: 'get_weather', finish_reason: 'tool_use' })
    }
  })

  it.each([
    [400, Anthropic.BadRequestError],
    [401, Anthropic.AuthenticationError],
    [529, Anthropic.InternalServerError],
  ])('passes a %i through unchanged and records the error', async (status, ErrorClass) => {
    const err = await anthropic.messages
      .create({ model: `error-${status}`, max_tokens: 10, messages })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ErrorClass)
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({
      status: 'error',
      error_message: `fake ${status} error`,
      attributes: { http_status: status },
    })
  })

  it('records an abandoned stream as aborted', async () => {
    h.provider.eventDelayMs = 5
    const stream = await anthropic.messages.create({ model: 'slow-claude', max_tokens: 10, messages, stream: true })
    let n = 0
    for await (const _ of stream) if (++n === 4) break
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({ status: 'error', attributes: { aborted: true } })
  })

  it('wrapAnthropic-style wrapping works without a global patch', async () => {
    h.client.uninstrument()
    try {
      const wrapped = h.client.wrap(new Anthropic({ apiKey: 'k', baseURL: h.provider.url, maxRetries: 0 }))
      await wrapped.messages.create({ model: 'claude-wrapped', max_tokens: 10, messages })
      const [span] = await h.waitSpans(1)
      expect(span).toMatchObject({ model: 'claude-wrapped', usage: USAGE })
    } finally {
      h.client.instrument()
    }
  })
})
