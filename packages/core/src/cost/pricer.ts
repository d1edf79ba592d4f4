import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import {
  calcPrice,
  findProvider,
  type ConditionalPrice,
  type PriceOptions,
  type Provider,
} from '@pydantic/genai-prices'
import { LRUCache } from 'lru-cache'
import { z } from 'zod'
import type { Cost, CostStatus, Usage } from '../span.js'
import { compileFlatPrice, flatCost, type FlatPrice, type PriceTotals } from './compiled.js'

export interface PriceResult {
  cost: Cost | null
  cost_status: CostStatus
  price_source: string
}

export interface Pricer {
  /** Identifies the bundled data, recorded on every span it prices. */
  readonly bundledSource: string
  /** Priced as of `atUs` (the span's start): a replayed spool or a time-of-day price never changes the bill. */
  price(input: { provider: string; model: string; usage: Usage; reported: Cost | null; atUs: number }): PriceResult
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

/** How one (provider, model) is priced, found once: no price, constant rates, or calcPrice every time. */
type Resolution =
  | { kind: 'none' }
  | { kind: 'flat'; price: FlatPrice; source: string }
  /** Rates that change on dates (e.g. a price cut): one flat price per period, chosen by the span's start. */
  | { kind: 'periods'; periods: Array<{ fromMs: number; price: FlatPrice }>; fallback: FlatPrice; source: string }
  | { kind: 'dynamic'; options: PriceOptions; source: string }

const ZERO_USAGE = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 }

export function createPricer(options: { overrides?: PriceOverrides; overrideSource?: string } = {}): Pricer {
  const bundledSource = `genai-prices@${genaiPricesVersion()}`
  const custom = toProviders(options.overrides)
  const overrideSource = options.overrideSource ?? 'prices-file'
  // Bounded: model names come from clients, so an unbounded map would be a memory lever.
  const resolved = new LRUCache<string, Resolution>({ max: 10_000 })

  function resolve(provider: string, model: string): Resolution {
    // The provider's own overrides first, then those for any provider ('*'), then the bundled data.
    const candidates: Array<[PriceOptions, string]> = []
    for (const own of [custom.get(provider), custom.get('*')])
      if (own) candidates.push([{ provider: own }, overrideSource])
    if (!SELF_HOSTED.has(provider)) {
      const known = provider !== '' && findProvider({ providerId: provider }) !== undefined
      candidates.push([known ? { providerId: provider } : {}, bundledSource])
    }
    for (const [opts, source] of candidates) {
      const found = safeCalc(ZERO_USAGE, model, opts)
      if (!found) continue
      const prices = found.model.prices
      if (!Array.isArray(prices)) {
        const flat = compileFlatPrice(found.model_price)
        return flat ? { kind: 'flat', price: flat, source } : { kind: 'dynamic', options: opts, source }
      }
      const periods = compilePeriods(prices)
      return periods ? { kind: 'periods', ...periods, source } : { kind: 'dynamic', options: opts, source }
    }
    return { kind: 'none' }
  }

  return {
    bundledSource,
    price({ provider, model, usage, reported, atUs }) {
      if (reported) return { cost: reported, cost_status: 'reported', price_source: 'reported' }
      if (!model) return unknown()
      const key = `${provider}\u0000${model}`
      let r = resolved.get(key)
      if (!r) {
        r = resolve(provider, model)
        resolved.set(key, r)
      }
      if (r.kind === 'none') return unknown()
      if (r.kind === 'flat') return computed(flatCost(r.price, usage), r.source)
      if (r.kind === 'periods') return computed(flatCost(pricedAt(r, Math.floor(atUs / 1000)), usage), r.source)
      const priceUsage = {
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cache_read_tokens: usage.cache_read_tokens,
        cache_write_tokens: usage.cache_write_tokens,
      }
      const result = safeCalc(priceUsage, model, { ...r.options, timestamp: new Date(Math.floor(atUs / 1000)) })
      return result ? computed(result, r.source) : unknown()
    },
  }
}

/**
 * Date-conditional prices as genai-prices resolves them: the last entry whose constraint is absent or
 * whose start date is not after the span's start, else the first entry. Null when any entry has a
 * time-of-day constraint or a price this module does not compile.
 */
function compilePeriods(
  prices: ConditionalPrice[],
): { periods: Array<{ fromMs: number; price: FlatPrice }>; fallback: FlatPrice } | null {
  const periods: Array<{ fromMs: number; price: FlatPrice }> = []
  for (const p of prices) {
    const flat = compileFlatPrice(p.prices)
    if (!flat) return null
    if (p.constraint === undefined) periods.push({ fromMs: -Infinity, price: flat })
    else if (p.constraint.type === 'start_date')
      periods.push({ fromMs: new Date(p.constraint.start_date).getTime(), price: flat })
    else return null
  }
  const first = periods[0]
  return first ? { periods, fallback: first.price } : null
}

function pricedAt(
  r: { periods: Array<{ fromMs: number; price: FlatPrice }>; fallback: FlatPrice },
  atMs: number,
): FlatPrice {
  for (let i = r.periods.length - 1; i >= 0; i--) {
    const p = r.periods[i]
    if (p && atMs >= p.fromMs) return p.price
  }
  return r.fallback
}

/** calcPrice throws on data it cannot price (a cache price without an input price): that is an unknown cost, not a failed request. */
function safeCalc(usage: typeof ZERO_USAGE, model: string, opts: PriceOptions): ReturnType<typeof calcPrice> {
  try {
    return calcPrice(usage, model, opts)
  } catch {
    return null
  }
}

function computed(r: PriceTotals, source: string): PriceResult {
  return {
    cost: { input_usd: r.input_price, output_usd: r.output_price, total_usd: r.total_price },
    cost_status: 'computed',
    price_source: source,
  }
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
