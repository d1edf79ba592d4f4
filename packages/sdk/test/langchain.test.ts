import { ChatAnthropic } from '@langchain/anthropic'
import type { BaseChatModel } from '@langchain/core/language_models/chat_models'
import type { AIMessageChunk } from '@langchain/core/messages'
import { ChatOpenAI } from '@langchain/openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { countTokens, getState, init, instrument, isCircuitBreakerError, shutdown } from '../src/index.js'
import { loadPrices, priceOf } from '../src/pricing.js'
import type { Span } from '../src/types.js'
import { waitFor } from './helpers/fake-ingest.js'
import { FAKE_TEXT } from './helpers/fake-provider.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

// LangChain.js is never wrapped or configured for Tollgate here: it talks to the fake provider
// through its own openai / @anthropic-ai/sdk clients, and instrument() alone must see the calls.
let h: Harness

beforeAll(async () => {
  h = await startHarness({ durability: 'best_effort' })
})
afterAll(() => h.close())
beforeEach(() => h.reset())

interface Case {
  label: string
  provider: string
  model: string
  /** What the fake provider returns, as the span must report it (cache tokens included). */
  usage: Record<string, number>
  /** A new LangChain model (so its underlying client is created under the current patches). */
  make(model: string, maxRetries?: number): BaseChatModel
}

const cases: Case[] = [
  {
    label: 'ChatOpenAI',
    provider: 'openai',
    model: 'gpt-4o-mini',
    usage: { input_tokens: 11, output_tokens: 6, total_tokens: 17, cache_read_tokens: 3, reasoning_tokens: 2 },
    make: (model, maxRetries) =>
      new ChatOpenAI({ model, apiKey: 'sk-test', maxRetries, configuration: { baseURL: h.provider.openaiBase } }),
  },
  {
    label: 'ChatAnthropic',
    provider: 'anthropic',
    model: 'claude-3-5-haiku-latest',
    // Anthropic's input_tokens (20) excludes cache reads (100) and writes (50); the span's includes them.
    usage: { input_tokens: 170, output_tokens: 8, total_tokens: 178, cache_read_tokens: 100, cache_write_tokens: 50 },
    make: (model, maxRetries) =>
      new ChatAnthropic({ model, apiKey: 'sk-ant-test', maxRetries, anthropicApiUrl: h.provider.url }),
  },
]

const PROMPT = 'Say hello'

/** What the application gets from one invoke() and one stream(). */
async function run(
  model: BaseChatModel,
): Promise<{ message: unknown; chunks: AIMessageChunk['content'][]; text: string }> {
  const r = await model.invoke(PROMPT)
  const chunks: AIMessageChunk['content'][] = []
  let text = ''
  for await (const c of await model.stream(PROMPT)) {
    chunks.push(c.content)
    text += c.text
  }
  return {
    message: { content: r.content, usage_metadata: r.usage_metadata, response_metadata: r.response_metadata },
    chunks,
    text,
  }
}

/** The parts of an error the application can observe. */
function shape(err: unknown): Record<string, unknown> {
  const e = err as Error & { status?: unknown; lc_error_code?: unknown }
  return {
    isError: e instanceof Error,
    class: e?.constructor?.name,
    name: e?.name,
    message: e?.message,
    status: e?.status,
    code: e?.lc_error_code,
  }
}

const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  )
const duration = (s: Span | undefined) => Date.parse(String(s?.end_time)) - Date.parse(String(s?.start_time))

describe.each(cases)('LangChain.js $label, captured by instrument() alone', (c) => {
  it('captures invoke() and stream() with provider, model, usage and ttft; the app gets what it gets uninstrumented', async () => {
    h.provider.eventDelayMs = 3
    const instrumented = await run(c.make(c.model))
    const spans = await h.waitSpans(2)
    expect(spans).toHaveLength(2)
    const plainRun = await (async () => {
      h.client.uninstrument()
      try {
        return await run(c.make(c.model))
      } finally {
        h.client.instrument()
      }
    })()
    expect(h.provider.received).toHaveLength(4)
    expect(await h.spans()).toHaveLength(2) // the uninstrumented run really was not captured

    expect(instrumented.text).toBe(FAKE_TEXT)
    expect(instrumented.chunks.length).toBeGreaterThan(3)
    expect(instrumented).toEqual(plainRun)

    const call = spans.find((s) => s.stream === false)
    const stream = spans.find((s) => s.stream === true)
    for (const span of [call, stream]) {
      expect(span).toMatchObject({
        kind: 'llm',
        provider: c.provider,
        model: c.model,
        operation: 'chat',
        status: 'ok',
        output: FAKE_TEXT,
      })
      expect(span?.usage).toEqual(c.usage)
      expect(JSON.stringify(span?.input)).toContain(PROMPT)
    }
    expect(call?.ttft_ms).toBeNull()
    expect(stream?.ttft_ms).toBeGreaterThan(0)
    expect(stream?.ttft_ms).toBeLessThanOrEqual(duration(stream) + 1)
  })

  it("records a 5xx as an error span and passes LangChain's own error through unchanged", async () => {
    const err = await rejection(c.make('error-500', 0).invoke(PROMPT))
    const [span] = await h.waitSpans(1)
    h.client.uninstrument()
    const plain = await rejection(c.make('error-500', 0).invoke(PROMPT)).finally(() => h.client.instrument())
    expect(shape(err)).toMatchObject({ isError: true, status: 500, message: expect.stringContaining('fake 500 error') })
    expect(shape(err)).toEqual(shape(plain))
    expect(isCircuitBreakerError(err)).toBe(false)
    expect(span).toMatchObject({
      provider: c.provider,
      model: 'error-500',
      status: 'error',
      error_message: 'fake 500 error',
      attributes: { http_status: 500 },
    })
    expect(h.provider.received).toHaveLength(2)
  })

  // With LangChain's default of 6 retries with backoff a retryable error would hold the call for a
  // minute or more: the 2 s abort signal turns that into an AbortError, failing the test.
  it('with the breaker open, the next call fails with a CircuitBreakerError and sends nothing', async () => {
    h.client.uninstrument()
    try {
      // Above what the prompt alone costs (a call that would cross the budget is refused before it
      // is sent), below what the first call costs once its answer is counted.
      await loadPrices()
      const promptUsd =
        priceOf(c.provider, c.model, {
          input_tokens: countTokens([{ role: 'user', content: PROMPT }], c.model).tokens + 10,
        })?.total_usd ?? 0
      init(
        {
          endpoint: h.ingest.url,
          durability: 'best_effort',
          policyPollIntervalMs: 0,
          budgetPerHour: promptUsd,
          blockOnThreshold: true,
        },
        { env: {} },
      )
      expect(instrument()).toMatchObject({ langchain: true, fetch: true, undici: true })
      const model = c.make(c.model) // LangChain's default retries
      expect((await model.invoke(PROMPT)).text).toBe(FAKE_TEXT)
      await waitFor(() => getState().global.spend_last_hour_usd > promptUsd)
      const sent = h.provider.received.length
      expect(sent).toBe(1)

      const signal = AbortSignal.timeout(2_000)
      const err = await rejection(model.invoke(PROMPT, { signal }))
      expect(isCircuitBreakerError(err)).toBe(true)
      expect(err).toMatchObject({ reason: 'budget_exceeded' })
      const streamErr = await rejection(
        (async () => {
          for await (const _ of await model.stream(PROMPT, { signal })) void _
        })(),
      )
      expect(isCircuitBreakerError(streamErr)).toBe(true)
      expect(h.provider.received).toHaveLength(sent)
      expect(getState().global.state).toBe('OPEN')
    } finally {
      await shutdown(200)
      h.client.instrument()
    }
  })
})
