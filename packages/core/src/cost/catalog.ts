import { findProvider, type MatchLogic } from '@pydantic/genai-prices'
import { emptyUsage } from '../span.js'
import type { PriceOverrides, Pricer } from './pricer.js'

/** USD per million tokens, as the aden SDK's `GET /tsdb/pricing` table lists them. */
export interface CatalogPrice {
  input: number
  output: number
  cached_input: number
  aliases: string[]
}

// The providers whose models SDKs look up by bare model name, first match wins for a name two list.
const PROVIDERS = [
  'openai',
  'anthropic',
  'google',
  'mistral',
  'deepseek',
  'x-ai',
  'groq',
  'cohere',
  'together',
  'fireworks',
]

/**
 * Per-model rates read back from the pricer itself — a million input, output and cached-input tokens
 * priced at `atMs` — for the bundled models of the main providers and every `PRICES_FILE` model, so a
 * client that estimates costs locally uses the prices Tollgate bills with. Tiered prices show their
 * first tier; models without a price are left out.
 */
export function priceCatalog(
  pricer: Pricer,
  options: { overrides?: PriceOverrides | undefined; atMs?: number } = {},
): Record<string, CatalogPrice> {
  const atUs = (options.atMs ?? Date.now()) * 1000
  const out: Record<string, CatalogPrice> = {}
  const rate = (provider: string, model: string, usage: Partial<ReturnType<typeof emptyUsage>>): number | null => {
    const r = pricer.price({ provider, model, usage: { ...emptyUsage(), ...usage }, reported: null, atUs })
    return r.cost ? r.cost.total_usd : null
  }
  const add = (provider: string, model: string, aliases: string[]): void => {
    const key = model.toLowerCase()
    if (out[key]) return
    const input = rate(provider, model, { input_tokens: 1e6 })
    const output = rate(provider, model, { output_tokens: 1e6 })
    if (input === null || output === null) return
    const cached = rate(provider, model, { input_tokens: 1e6, cache_read_tokens: 1e6 }) ?? input
    out[key] = { input: round(input), output: round(output), cached_input: round(cached), aliases }
  }
  // Overrides first: they win over the bundled price for their model.
  for (const m of options.overrides?.models ?? []) add(m.provider === '*' ? '' : m.provider, m.model, [])
  for (const id of PROVIDERS) {
    for (const model of findProvider({ providerId: id })?.models ?? []) {
      if (model.deprecated) continue
      const aliases = equalsOf(model.match).filter((a) => a.toLowerCase() !== model.id.toLowerCase())
      add(id, model.id, aliases)
    }
  }
  return out
}

/** Rounds away binary noise (1e6 × 2.5e-6 = 2.4999999999999996). */
const round = (n: number): number => Math.round(n * 1e9) / 1e9

function equalsOf(m: MatchLogic): string[] {
  if ('equals' in m) return [m.equals]
  if ('or' in m) return m.or.flatMap(equalsOf)
  return []
}
