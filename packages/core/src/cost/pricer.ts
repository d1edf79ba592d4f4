import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { calcPrice, findProvider, type Provider } from '@pydantic/genai-prices'
import { z } from 'zod'
import type { Cost, CostStatus, Usage } from '../span.js'

export interface PriceResult {
  cost: Cost | null
  cost_status: CostStatus
  price_source: string
}

export interface Pricer {
  /** Identifies the bundled data, recorded on every span it prices. */
  readonly bundledSource: string
  price(input: { provider: string; model: string; usage: Usage; reported: Cost | null }): PriceResult
}

/**
 * `PRICES_FILE`: models that the bundled data lacks (fine-tunes, self-hosted models) or whose price
 * differs for this deployment. USD per million tokens, like genai-prices. `provider: "*"` applies to
 * a model whichever provider reports it.
 */
export const PriceOverrides = z.object({
  models: z.array(
    z.object({
      provider: z.string().min(1),
      model: z.string().min(1),
      match: z.enum(['equals', 'starts_with']).default('equals'),
      input_mtok: z.number().nonnegative(),
      output_mtok: z.number().nonnegative(),
      cache_read_mtok: z.number().nonnegative().optional(),
      cache_write_mtok: z.number().nonnegative().optional(),
    }),
  ),
})
export type PriceOverrides = z.infer<typeof PriceOverrides>

// Providers that run models on the user's own hardware: no list price applies, only an override.
const SELF_HOSTED = new Set(['ollama', 'vllm', 'lmstudio', 'llamacpp', 'tgi', 'local'])

export function genaiPricesVersion(): string {
  const require = createRequire(import.meta.url)
  const entry = require.resolve('@pydantic/genai-prices')
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }
  return pkg.version
}

/** Reads and validates `PRICES_FILE`; a bad file is a startup error naming the file. */
export function loadPriceOverrides(path: string): { overrides: PriceOverrides; source: string } {
  const text = readFileSync(path, 'utf8')
  const parsed = PriceOverrides.safeParse(JSON.parse(text))
  if (!parsed.success) throw new Error(`PRICES_FILE ${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 12)
  return { overrides: parsed.data, source: `prices-file:${digest}` }
}

export function createPricer(options: { overrides?: PriceOverrides; overrideSource?: string } = {}): Pricer {
  const bundledSource = `genai-prices@${genaiPricesVersion()}`
  const custom = toProviders(options.overrides)
  const overrideSource = options.overrideSource ?? 'prices-file'

  return {
    bundledSource,
    price({ provider, model, usage, reported }) {
      if (reported) return { cost: reported, cost_status: 'reported', price_source: 'reported' }
      if (!model) return unknown()
      const priceUsage = {
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cache_read_tokens: usage.cache_read_tokens,
        cache_write_tokens: usage.cache_write_tokens,
      }
      // The provider's own overrides first, then those for any provider ('*').
      for (const own of [custom.get(provider), custom.get('*')]) {
        const fromOverride = own ? calcPrice(priceUsage, model, { provider: own }) : null
        if (fromOverride) return computed(fromOverride, overrideSource)
      }
      if (SELF_HOSTED.has(provider)) return unknown()
      const known = provider !== '' && findProvider({ providerId: provider }) !== undefined
      const bundled = calcPrice(priceUsage, model, known ? { providerId: provider } : {})
      return bundled ? computed(bundled, bundledSource) : unknown()
    },
  }
}

function computed(r: { input_price: number; output_price: number; total_price: number }, source: string): PriceResult {
  return { cost: { input_usd: r.input_price, output_usd: r.output_price, total_usd: r.total_price }, cost_status: 'computed', price_source: source }
}

const unknown = (): PriceResult => ({ cost: null, cost_status: 'unknown', price_source: '' })

function toProviders(overrides: PriceOverrides | undefined): Map<string, Provider> {
  const byProvider = new Map<string, Provider>()
  for (const m of overrides?.models ?? []) {
    const provider = byProvider.get(m.provider) ?? { id: m.provider, name: m.provider, api_pattern: '.*', models: [] }
    provider.models.push({
      id: m.model,
      match: m.match === 'equals' ? { equals: m.model } : { starts_with: m.model },
      prices: {
        input_mtok: m.input_mtok,
        output_mtok: m.output_mtok,
        ...(m.cache_read_mtok === undefined ? {} : { cache_read_mtok: m.cache_read_mtok }),
        ...(m.cache_write_mtok === undefined ? {} : { cache_write_mtok: m.cache_write_mtok }),
      },
    })
    byProvider.set(m.provider, provider)
  }
  return byProvider
}
