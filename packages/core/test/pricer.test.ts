import { describe, expect, it } from 'vitest'
import { createPricer, emptyUsage, genaiPricesVersion, type PriceOverrides, type Usage } from '@tollgate/core'

/** Prices are resolved as of the span start; these tests use "now". */
const atUs = Date.now() * 1000

const usage = (u: Partial<Usage>): Usage => ({ ...emptyUsage(), ...u })
const bundled = createPricer()
const BUNDLED_SOURCE = `genai-prices@${genaiPricesVersion()}`

describe('createPricer: bundled prices (genai-prices)', () => {
  it('records the bundled data version as the price source', () => {
    expect(bundled.bundledSource).toBe(BUNDLED_SOURCE)
    expect(BUNDLED_SOURCE).toMatch(/^genai-prices@\d+\.\d+\.\d+/)
  })

  // gpt-4o in the bundled data: $2.50/Mtok input, $1.25/Mtok cached input, $10/Mtok output.
  it.each([
    ['no cache', usage({ input_tokens: 1000, output_tokens: 500 }), 0.0025, 0.005],
    // 600 fresh × 2.50 + 400 cached × 1.25 = 0.0015 + 0.0005; pricing the 400 as input too would give 0.003.
    [
      '400 of 1000 input tokens cached',
      usage({ input_tokens: 1000, output_tokens: 500, cache_read_tokens: 400 }),
      0.002,
      0.005,
    ],
    ['all input cached', usage({ input_tokens: 1000, output_tokens: 0, cache_read_tokens: 1000 }), 0.00125, 0],
    ['reasoning inside output', usage({ input_tokens: 0, output_tokens: 1000, reasoning_tokens: 800 }), 0, 0.01],
  ])('gpt-4o, %s', (_name, u, inputUsd, outputUsd) => {
    const r = bundled.price({ provider: 'openai', model: 'gpt-4o', usage: u, reported: null, atUs })
    expect(r.cost_status).toBe('computed')
    expect(r.price_source).toBe(BUNDLED_SOURCE)
    const cost = r.cost
    if (!cost) throw new Error('expected a computed cost')
    expect(cost.input_usd).toBeCloseTo(inputUsd, 12)
    expect(cost.output_usd).toBeCloseTo(outputUsd, 12)
    expect(cost.total_usd).toBeCloseTo(inputUsd + outputUsd, 12)
  })

  it('prices Anthropic cache writes at the write rate and cache reads at the read rate', () => {
    // claude-3-5-sonnet: $3 input, $0.30 cache read, $3.75 cache write, $15 output (per Mtok).
    // 500 fresh × 3 + 400 × 0.30 + 100 × 3.75 = 1995 µ$.
    const r = bundled.price({
      provider: 'anthropic',
      model: 'claude-3-5-sonnet-20241022',
      usage: usage({ input_tokens: 1000, cache_read_tokens: 400, cache_write_tokens: 100, output_tokens: 500 }),
      reported: null,
      atUs,
    })
    expect(r.cost?.input_usd).toBeCloseTo(0.001995, 12)
    expect(r.cost?.output_usd).toBeCloseTo(0.0075, 12)
  })

  it('prices a known model whose provider is not given', () => {
    const r = bundled.price({
      provider: '',
      model: 'gpt-4o',
      usage: usage({ input_tokens: 1000, output_tokens: 500 }),
      reported: null,
      atUs,
    })
    expect(r).toMatchObject({ cost_status: 'computed', price_source: BUNDLED_SOURCE })
    expect(r.cost?.total_usd).toBeCloseTo(0.0075, 12)
  })

  it('keeps a reported cost as it came', () => {
    const reported = { input_usd: 1.5, output_usd: 0.25, total_usd: 1.75 }
    const r = bundled.price({
      provider: 'openai',
      model: 'gpt-4o',
      usage: usage({ input_tokens: 1000, output_tokens: 500 }),
      reported,
      atUs,
    })
    expect(r).toEqual({ cost: reported, cost_status: 'reported', price_source: 'reported' })
  })

  it.each([
    ['an unknown model', 'openai', 'acme-private-llm-9000'],
    ['an unknown model of an unknown provider', 'acme', 'acme-private-llm-9000'],
    ['no model', 'openai', ''],
    ['a self-hosted provider (ollama)', 'ollama', 'llama3.1:8b'],
    // The name matches a list price, but a model run on one's own hardware has none.
    ['a self-hosted provider serving a listed model name', 'ollama', 'gpt-4o'],
    ['vllm', 'vllm', 'meta-llama/Llama-3.1-8B-Instruct'],
  ])('answers unknown for %s', (_name, provider, model) => {
    const r = bundled.price({
      provider,
      model,
      usage: usage({ input_tokens: 1000, output_tokens: 500 }),
      reported: null,
      atUs,
    })
    expect(r).toEqual({ cost: null, cost_status: 'unknown', price_source: '' })
  })
})

describe('createPricer: overrides (PRICES_FILE)', () => {
  const overrides: PriceOverrides = {
    models: [
      { provider: 'openai', model: 'gpt-4o', match: 'equals', input_mtok: 1, output_mtok: 2 },
      {
        provider: 'openai',
        model: 'ft:gpt-4o-mini:acme',
        match: 'starts_with',
        input_mtok: 0.3,
        output_mtok: 1.2,
        cache_read_mtok: 0.15,
      },
      { provider: 'ollama', model: 'llama3.1', match: 'starts_with', input_mtok: 0.05, output_mtok: 0.1 },
      { provider: '*', model: 'house-model', match: 'equals', input_mtok: 4, output_mtok: 8 },
    ],
  }
  const pricer = createPricer({ overrides, overrideSource: 'prices-file:0123456789ab' })
  const u = usage({ input_tokens: 1000, output_tokens: 500 })

  it.each([
    ['wins over the bundled price', 'openai', 'gpt-4o', 0.001, 0.001],
    ['matches by prefix', 'openai', 'ft:gpt-4o-mini:acme:2024-10', 0.0003, 0.0006],
    ['prices a self-hosted model', 'ollama', 'llama3.1:8b', 0.00005, 0.00005],
    ['applies a "*" entry to any provider', 'vllm', 'house-model', 0.004, 0.004],
    ['applies a "*" entry to a listed provider too', 'anthropic', 'house-model', 0.004, 0.004],
    // openai has entries of its own; they must not hide the "*" entries.
    ['applies a "*" entry to a provider that has entries of its own', 'openai', 'house-model', 0.004, 0.004],
  ])('%s', (_name, provider, model, inputUsd, outputUsd) => {
    const r = pricer.price({ provider, model, usage: u, reported: null, atUs })
    expect(r.cost_status).toBe('computed')
    expect(r.price_source).toBe('prices-file:0123456789ab')
    expect(r.cost?.input_usd).toBeCloseTo(inputUsd, 12)
    expect(r.cost?.output_usd).toBeCloseTo(outputUsd, 12)
    expect(r.cost?.total_usd).toBeCloseTo(inputUsd + outputUsd, 12)
  })

  it('prices cached tokens at the override cache rate', () => {
    // 600 × 0.3 + 400 × 0.15 = 240 µ$.
    const r = pricer.price({
      provider: 'openai',
      model: 'ft:gpt-4o-mini:acme',
      usage: usage({ input_tokens: 1000, cache_read_tokens: 400 }),
      reported: null,
      atUs,
    })
    expect(r.cost?.input_usd).toBeCloseTo(0.00024, 12)
  })

  it('falls back to the bundled price for a model the override does not name', () => {
    const r = pricer.price({ provider: 'openai', model: 'gpt-4o-mini', usage: u, reported: null, atUs })
    expect(r.price_source).toBe(BUNDLED_SOURCE)
    expect(r.cost_status).toBe('computed')
  })

  it('leaves a self-hosted model the override does not name unknown', () => {
    expect(pricer.price({ provider: 'ollama', model: 'qwen2.5:7b', usage: u, reported: null, atUs }).cost_status).toBe(
      'unknown',
    )
  })

  it('still keeps a reported cost over an override', () => {
    const reported = { input_usd: 0, output_usd: 0, total_usd: 0.5 }
    expect(pricer.price({ provider: 'openai', model: 'gpt-4o', usage: u, reported, atUs })).toEqual({
      cost: reported,
      cost_status: 'reported',
      price_source: 'reported',
    })
  })

  it('names the source "prices-file" when none is given', () => {
    const r = createPricer({ overrides }).price({ provider: 'openai', model: 'gpt-4o', usage: u, reported: null, atUs })
    expect(r.price_source).toBe('prices-file')
  })
})
