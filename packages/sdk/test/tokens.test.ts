import OpenAI from 'openai'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CircuitBreakerError } from '../src/breaker/errors.js'
import type { InitOptions } from '../src/config.js'
import { loadPrices } from '../src/pricing.js'
import { countTokens } from '../src/tokens.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

describe('countTokens', () => {
  it.each([
    [
      'a chat for gpt-4o-mini (OpenAI overhead: 3 per message, 3 for the reply)',
      [{ role: 'user', content: 'Hello!' }],
      'gpt-4o-mini',
      9,
      'tiktoken:o200k_base',
    ],
    ['plain text for gpt-4', 'hello world', 'gpt-4', 2, 'tiktoken:cl100k_base'],
    [
      'an Anthropic request body',
      { system: 'Be brief', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi there' }] }] },
      'claude-3-5-haiku-latest',
      4,
      'approximate:o200k_base',
    ],
    [
      'Gemini contents',
      [{ role: 'user', parts: [{ text: 'Hello!' }] }],
      'gemini-2.0-flash',
      9,
      'approximate:o200k_base',
    ],
    ['nothing', '', 'gpt-4o', 0, 'tiktoken:o200k_base'],
  ])('%s', (_, input, model, tokens, method) => {
    expect(countTokens(input, model)).toEqual({ tokens, method })
  })

  it('counts long text as the tokenizer does, not by characters', () => {
    // 10 tokens per sentence in o200k ("The", " quick", ..., " dog", "."), the joining space included.
    const text = Array.from({ length: 100 }, () => 'The quick brown fox jumps over the lazy dog.').join(' ')
    const { tokens } = countTokens(text, 'gpt-4o')
    expect(tokens).toBe(1000)
    expect(tokens).not.toBe(Math.ceil(text.length / 4))
  })
})

describe('a call that would cross a budget is refused before it is sent', () => {
  let h: Harness | undefined
  beforeAll(() => loadPrices())
  afterEach(async () => {
    await h?.close()
    h = undefined
  })
  const setup = async (opts: InitOptions) => {
    h = await startHarness({ durability: 'best_effort', ...opts })
    return { h, openai: new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 }) }
  }
  // ~5,000 tokens: $0.0125 of gpt-4o input; a one-word prompt costs ~$0.00003.
  const bigPrompt = 'The quick brown fox jumps over the lazy dog. '.repeat(500)

  it('local hourly budget: the big prompt is refused with nothing spent; a small one passes', async () => {
    const { h, openai } = await setup({ budgetPerHour: 0.005, blockOnThreshold: true })
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })
    const err = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: bigPrompt }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CircuitBreakerError)
    expect(err).toMatchObject({ reason: 'budget_exceeded', message: expect.stringContaining('would cross') })
    expect(h.provider.received).toHaveLength(1)
    expect(h.client.getState().global.state).toBe('OPEN')
  })

  it('server token budget: the projected prompt counts against limit_tokens', async () => {
    const { h, openai } = await setup({})
    h.ingest.policy = {
      status: 200,
      body: {
        budgets: [
          {
            id: 'tok',
            scope: 'feature',
            scope_value: 'chat',
            limit_tokens: 1000,
            spent_tokens: 900,
            spent_usd: 0,
            window: 'day',
          },
        ],
      },
    }
    await h.client.control.refreshPolicy()
    const ask = (content: string) =>
      h.client.trace(
        'q',
        () => openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
        { tags: { feature: 'chat' } },
      )
    await ask('Hi')
    await expect(ask(bigPrompt.slice(0, 2000))).rejects.toMatchObject({ reason: 'server_budget' })
    expect(h.provider.received).toHaveLength(1)
    const spans = await h.waitSpans(4)
    expect(spans.find((s) => s.kind === 'llm' && !s.attributes?.blocked)?.attributes?.projected_input_tokens).toBe(8)
  })

  it('without a budget nothing is counted', async () => {
    const { h, openai } = await setup({})
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: bigPrompt }] })
    const [span] = await h.waitSpans(1)
    expect(span?.attributes?.projected_input_tokens).toBeUndefined()
  })
})
