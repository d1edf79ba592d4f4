import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { calcPrice } from '@pydantic/genai-prices'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ids, ingest, span, startTestApp, tempDataDir, type TestApp } from './harness.js'

let t: TestApp
const pricesDir = tempDataDir()
const pricesFile = join(pricesDir, 'prices.json')
writeFileSync(
  pricesFile,
  JSON.stringify({
    models: [
      { provider: 'vllm', model: 'acme-llama-70b', input_mtok: 1, output_mtok: 2, cache_read_mtok: 0.1 },
      { provider: 'openai', model: 'gpt-4o', input_mtok: 100, output_mtok: 200, match: 'equals' },
    ],
  }),
)

beforeAll(async () => {
  t = await startTestApp({ PRICES_FILE: pricesFile })
})
afterAll(() => t.close())

async function stored(overrides: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { traceId, spanId } = ids()
  const res = await ingest(t, span({ trace_id: traceId, span_id: spanId(1), ...overrides }))
  expect(res.status).toBe(202)
  const body = (await (await t.request(`/api/traces/${traceId}/spans`)).json()) as {
    spans: Array<Record<string, unknown>>
  }
  const [s] = body.spans
  if (!s) throw new Error('span not stored')
  return s
}

describe('cost', () => {
  it('computes cost from the bundled prices, cached tokens priced once at the cache rate', async () => {
    const usage = { input_tokens: 10_000, output_tokens: 1_000, cache_read_tokens: 8_000 }
    const s = await stored({ provider: 'anthropic', model: 'claude-sonnet-4-20250514', usage })
    const expected = calcPrice(usage, 'claude-sonnet-4-20250514', { providerId: 'anthropic' })
    if (!expected) throw new Error('bundled prices lack the model')
    expect(s.cost_status).toBe('computed')
    expect(s.price_source).toMatch(/^genai-prices@\d+\.\d+\.\d+$/)
    const cost = s.cost as { input_usd: number; output_usd: number; total_usd: number }
    expect(cost.total_usd).toBeCloseTo(expected.total_price, 12)
    // $3/MTok input, $0.30/MTok cache read: 2,000 × 3 + 8,000 × 0.3 = $0.0084, not (10,000 × 3 + 8,000 × 0.3).
    expect(cost.input_usd).toBeCloseTo((2_000 * 3 + 8_000 * 0.3) / 1e6, 12)
    expect(cost.output_usd).toBeCloseTo((1_000 * 15) / 1e6, 12)
  })

  it('keeps a reported cost as reported', async () => {
    const s = await stored({ cost: { input_usd: 0.5, output_usd: 0.25 } })
    expect(s).toMatchObject({
      cost_status: 'reported',
      price_source: 'reported',
      cost: { input_usd: 0.5, output_usd: 0.25, total_usd: 0.75 },
    })
  })

  it('marks an unpriced model unknown, with no cost', async () => {
    const s = await stored({ provider: 'mystery', model: 'no-such-model-xyz' })
    expect(s).toMatchObject({ cost_status: 'unknown', cost: null, price_source: null })
  })

  it('prices a self-hosted model from PRICES_FILE and records the file version', async () => {
    const s = await stored({
      provider: 'vllm',
      model: 'acme-llama-70b',
      usage: { input_tokens: 1_000_000, output_tokens: 500_000, cache_read_tokens: 500_000 },
    })
    expect(s.cost_status).toBe('computed')
    expect(s.price_source).toMatch(/^prices-file:[0-9a-f]{12}$/)
    expect((s.cost as { total_usd: number }).total_usd).toBeCloseTo(0.5 * 1 + 0.5 * 0.1 + 0.5 * 2, 9)
  })

  it('lets PRICES_FILE override a bundled price', async () => {
    const s = await stored({
      provider: 'openai',
      model: 'gpt-4o',
      usage: { input_tokens: 1_000_000, output_tokens: 0 },
    })
    expect(s.price_source).toMatch(/^prices-file:/)
    expect((s.cost as { total_usd: number }).total_usd).toBeCloseTo(100, 9)
  })

  it('sums computed costs into the trace summary exactly', async () => {
    const { traceId, spanId } = ids()
    const run = `cost-${Date.now()}`
    await ingest(
      t,
      [1, 2, 3].map((i) =>
        span({
          trace_id: traceId,
          span_id: spanId(i),
          provider: 'anthropic',
          model: 'claude-sonnet-4-20250514',
          tags: { run },
          usage: { input_tokens: 1000 * i, output_tokens: 10 * i },
        }),
      ),
    )
    const spans = (
      (await (await t.request(`/api/traces/${traceId}/spans`)).json()) as {
        spans: Array<{ cost: { total_usd: number } }>
      }
    ).spans
    const list = (await (await t.request(`/api/traces?tag.run=${run}`)).json()) as {
      traces: Array<{ total_cost_usd: number }>
    }
    expect(list.traces[0]?.total_cost_usd).toBeCloseTo(
      spans.reduce((a, s) => a + s.cost.total_usd, 0),
      12,
    )
  })
})
