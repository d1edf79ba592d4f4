import Anthropic from '@anthropic-ai/sdk'
import { createOpenAI } from '@ai-sdk/openai'
import { streamText } from 'ai'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

// flush() (not only shutdown()) waits for captures that have started: a stream the application
// is still reading when flush() is called is delivered by that flush, not by a later one.
let h: Harness
beforeAll(async () => {
  h = await startHarness({ durability: 'best_effort' })
})
afterAll(() => h.close())
beforeEach(() => h.reset())

const messages = [{ role: 'user' as const, content: 'Say hello' }]

/** Starts reading a long stream; resolves once the first item has been read, with the rest of the reading. */
async function readInBackground(
  open: () => Promise<AsyncIterable<unknown>> | AsyncIterable<unknown>,
): Promise<{ done: Promise<number> }> {
  let first: () => void = () => undefined
  const started = new Promise<void>((r) => (first = r))
  const done = (async () => {
    let n = 0
    for await (const _ of await open()) if (++n === 1) first()
    return n
  })()
  await started
  return { done }
}

describe('flush() waits for a stream still being read', () => {
  it.each([
    [
      'openai',
      () =>
        new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 }).chat.completions.create({
          model: 'slow-gpt-4o-mini',
          messages,
          stream: true,
          stream_options: { include_usage: true },
        }),
    ],
    [
      '@anthropic-ai/sdk',
      () =>
        new Anthropic({ apiKey: 'k', baseURL: h.provider.url, maxRetries: 0 }).messages.create({
          model: 'slow-claude',
          max_tokens: 64,
          messages,
          stream: true,
        }),
    ],
    [
      'ai',
      () =>
        streamText({
          model: createOpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase }).chat('slow-gpt-4o-mini'),
          prompt: 'Say hello',
        }).textStream,
    ],
  ])('%s: the span is delivered by the flush() called mid-stream, complete', async (_, open) => {
    h.provider.eventDelayMs = 2
    const reading = await readInBackground(open)
    // The stream is being read: its capture is in flight, nothing is delivered yet.
    expect(h.client.inflight.size).toBe(1)
    expect(h.ingest.accepted()).toHaveLength(0)
    await h.client.flush()
    expect(h.ingest.accepted()).toHaveLength(1)
    expect(h.ingest.accepted()[0]).toMatchObject({ kind: 'llm', stream: true, status: 'ok' })
    expect(h.ingest.accepted()[0]?.usage?.output_tokens).toBeGreaterThan(0)
    expect(h.client.inflight.size).toBe(0)
    expect(await reading.done).toBeGreaterThan(100)
  })
})
