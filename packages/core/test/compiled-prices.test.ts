import { calcPrice, waitForUpdate } from '@pydantic/genai-prices'
import { describe, expect, it } from 'vitest'
import { compileFlatPrice, createPricer, emptyUsage, type Usage } from '@tollgate/core'

// Deterministic pseudo-random usages (no flaky seeds): small, large, cache-heavy, zero.
function usages(): Usage[] {
  const out: Usage[] = [emptyUsage()]
  let x = 12345
  const next = (n: number): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31
    return x % n
  }
  for (let i = 0; i < 6; i++) {
    const input = next(2_000_000)
    const cacheRead = next(input + 1)
    const cacheWrite = next(input - cacheRead + 1)
    const output = next(100_000)
    out.push({
      ...emptyUsage(),
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
      cache_read_tokens: cacheRead,
      cache_write_tokens: cacheWrite,
    })
  }
  return out
}

describe('compiled prices equal calcPrice on every bundled model', async () => {
  const providers = await waitForUpdate()
  if (!providers) throw new Error('genai-prices has no bundled price data')
  const pricer = createPricer()
  const times = [Date.UTC(2024, 0, 15, 3, 0, 0), Date.UTC(2026, 5, 1, 18, 30, 0)]
  const cases = providers.flatMap((p) => p.models.map((m) => [p.id, m.id] as const))

  it(`covers the bundled list (${cases.length} models)`, () => {
    expect(cases.length).toBeGreaterThan(500)
    // Most models have constant rates, so the comparison below exercises the compiled path, not only calcPrice.
    const flat = providers
      .flatMap((p) => p.models)
      .filter((m) => !Array.isArray(m.prices) && compileFlatPrice(m.prices) !== null)
    expect(flat.length).toBeGreaterThan(cases.length / 2)
  })

  it('gives bit-identical input, output and total for every model, usage and time', () => {
    let compared = 0
    for (const [provider, model] of cases) {
      for (const atMs of times) {
        for (const u of usages()) {
          const usage = {
            input_tokens: u.input_tokens,
            output_tokens: u.output_tokens,
            cache_read_tokens: u.cache_read_tokens,
            cache_write_tokens: u.cache_write_tokens,
          }
          let expected: ReturnType<typeof calcPrice> = null
          try {
            expected = calcPrice(usage, model, { providerId: provider, timestamp: new Date(atMs) })
          } catch {
            expected = null
          }
          const got = pricer.price({ provider, model, usage: u, reported: null, atUs: atMs * 1000 })
          if (expected === null) {
            expect(got.cost_status, `${provider}/${model}`).toBe('unknown')
            continue
          }
          expect(got.cost, `${provider}/${model} ${JSON.stringify(usage)}`).toEqual({
            input_usd: expected.input_price,
            output_usd: expected.output_price,
            total_usd: expected.total_price,
          })
          compared++
        }
      }
    }
    expect(compared).toBeGreaterThan(5000)
  })

  it('prices a time-conditional model as of the span start, not as of now', () => {
    const conditional = providers.flatMap((p) =>
      p.models.filter((m) => Array.isArray(m.prices)).map((m) => [p.id, m] as const),
    )
    expect(conditional.length).toBeGreaterThan(0)
    const u = { ...emptyUsage(), input_tokens: 1_000_000, output_tokens: 1_000_000 }
    let differing = 0
    for (const [provider, m] of conditional) {
      const results = new Set(
        times.map((t) =>
          JSON.stringify(pricer.price({ provider, model: m.id, usage: u, reported: null, atUs: t * 1000 }).cost),
        ),
      )
      if (results.size > 1) differing++
    }
    // At least one bundled model changed price between the two instants; each is priced as of its own.
    expect(differing).toBeGreaterThan(0)
  })
})
