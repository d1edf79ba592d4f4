import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { CircuitBreakerError } from '../src/breaker/errors.js'
import { pricesLoaded } from '../src/pricing.js'
import { waitFor } from './helpers/fake-ingest.js'
import { startHarness, type Harness } from './helpers/harness.js'

// Deliberately no loadPrices() before the calls: this file runs in its own process, so the price
// table is still loading when the first call ends.
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('a call that ends before the price table has loaded', () => {
  it('still counts against the hourly budget once prices are in', async () => {
    h = await startHarness({ durability: 'best_effort', budgetPerHour: 1e-9, blockOnThreshold: true })
    const openai = new OpenAI({ apiKey: 'k', baseURL: h.provider.openaiBase, maxRetries: 0 })
    const call = () =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    await call()
    const client = h.client
    await waitFor(() => client.getState().global.spend_last_hour_usd > 1e-9)
    expect(pricesLoaded()).toBe(true)
    const err = await call().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(CircuitBreakerError)
    expect(h.provider.received).toHaveLength(1)
  })
})
