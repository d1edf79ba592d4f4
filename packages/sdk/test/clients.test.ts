import { createOpenAI } from '@ai-sdk/openai'
import { GoogleGenAI } from '@google/genai'
import { generateText, streamText } from 'ai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FAKE_TEXT } from './helpers/fake-provider.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

let h: Harness

beforeAll(async () => {
  h = await startHarness({ durability: 'best_effort' })
})
afterAll(() => h.close())
beforeEach(() => h.reset())

describe('@google/genai', () => {
  it('captures generateContent with thoughts counted as output', async () => {
    const ai = new GoogleGenAI({ apiKey: 'g-key', httpOptions: { baseUrl: h.provider.url } })
    const r = await ai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'Say hello' })
    expect(r.text).toBe(FAKE_TEXT)
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({
      provider: 'google',
      model: 'gemini-2.0-flash',
      operation: 'chat',
      stream: false,
      usage: { input_tokens: 9, output_tokens: 9, total_tokens: 18, reasoning_tokens: 4 },
      output: FAKE_TEXT,
    })
  })

  it('captures generateContentStream with ttft', async () => {
    const ai = new GoogleGenAI({ apiKey: 'g-key', httpOptions: { baseUrl: h.provider.url } })
    let text = ''
    for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'Say hello' }))
      text += c.text ?? ''
    expect(text).toBe(FAKE_TEXT)
    const [span] = await h.waitSpans(1)
    expect(span).toMatchObject({ stream: true, output: FAKE_TEXT, usage: { total_tokens: 18 } })
    expect(span?.ttft_ms).toBeGreaterThan(0)
  })
})

describe('Vercel AI SDK', () => {
  it('captures generateText and streamText through @ai-sdk/openai', async () => {
    const openai = createOpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase })
    const g = await generateText({ model: openai.chat('gpt-4o-mini'), prompt: 'Say hello' })
    expect(g.text).toBe(FAKE_TEXT)
    const s = streamText({ model: openai.chat('gpt-4o-mini'), prompt: 'Say hello' })
    let text = ''
    for await (const t of s.textStream) text += t
    expect(text).toBe(FAKE_TEXT)
    const spans = await h.waitSpans(2)
    expect(spans.map((x) => [x.model, x.stream, x.usage?.total_tokens])).toEqual([
      ['gpt-4o-mini', false, 17],
      ['gpt-4o-mini', true, 17],
    ])
  })
})
