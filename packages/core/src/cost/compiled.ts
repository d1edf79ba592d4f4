/**
 * A price compiled to constants. `calcPrice` of @pydantic/genai-prices resolves the provider and model
 * (regex and string matching over the bundled data), validates the unit graph and derives leaf usage on
 * every call: 10–13 µs per span. For a model whose price is a plain set of per-token rates (no tiers,
 * no date or time-of-day conditions) the result depends on the usage alone, so the resolution is done
 * once and the arithmetic below repeats calcPrice's own — same operations, same order — which makes the
 * result identical to the last bit (`compiled.test.ts` checks every bundled model). Anything else
 * (tiers, conditional prices, other units) keeps calling calcPrice.
 */
import type { Usage } from '../span.js'

type Direction = 'input' | 'output' | 'other'
type LeafKey = 'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_tokens' | 'requests'

// The price keys compiled here and the usage unit each one prices (genai-prices' unit table).
const UNITS: Record<string, { leaf: LeafKey; per: number; direction: Direction }> = {
  input_mtok: { leaf: 'input_tokens', per: 1e6, direction: 'input' },
  output_mtok: { leaf: 'output_tokens', per: 1e6, direction: 'output' },
  cache_read_mtok: { leaf: 'cache_read_tokens', per: 1e6, direction: 'input' },
  cache_write_mtok: { leaf: 'cache_write_tokens', per: 1e6, direction: 'input' },
  requests_kcount: { leaf: 'requests', per: 1e3, direction: 'other' },
}

export interface FlatPrice {
  /** In the model price's own key order: calcPrice sums in that order. */
  terms: Array<{ price: number; leaf: LeafKey; per: number; direction: Direction }>
  cacheRead: boolean
  cacheWrite: boolean
}

export interface PriceTotals {
  input_price: number
  output_price: number
  total_price: number
}

/** A flat price, or null when the price needs calcPrice (tiers, conditions, units not compiled here). */
export function compileFlatPrice(modelPrice: Record<string, unknown>): FlatPrice | null {
  const terms: FlatPrice['terms'] = []
  for (const [key, value] of Object.entries(modelPrice)) {
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null
    const unit = UNITS[key]
    // A unit the span's usage never reports (web searches, audio or image tokens, …) is priced at
    // 0 × rate = +0 by calcPrice and leaves every token leaf unchanged: it adds nothing here either.
    if (unit) terms.push({ price: value, ...unit })
  }
  // calcPrice refuses a cache price without an input price (its unit graph needs the ancestor).
  const has = (leaf: LeafKey): boolean => terms.some((t) => t.leaf === leaf)
  if ((has('cache_read_tokens') || has('cache_write_tokens')) && !has('input_tokens')) return null
  return { terms, cacheRead: has('cache_read_tokens'), cacheWrite: has('cache_write_tokens') }
}

/** calcPrice's arithmetic for a flat price: leaf usage (input less the priced cache tokens), then Σ price·leaf/per. */
export function flatCost(p: FlatPrice, u: Usage): PriceTotals {
  let cached = 0
  let units = 2 // input and output are always among the leaves calcPrice derives
  if (p.cacheRead) {
    cached += u.cache_read_tokens
    units++
  }
  if (p.cacheWrite) {
    cached += u.cache_write_tokens
    units++
  }
  let uncached = u.input_tokens - cached
  if (
    uncached < 0 &&
    Math.abs(uncached) <= Number.EPSILON * Math.max(1, Math.abs(u.input_tokens), Math.abs(cached)) * (units + 1)
  )
    uncached = 0
  let input = 0
  let output = 0
  let other = 0
  for (const t of p.terms) {
    const leaf =
      t.leaf === 'input_tokens'
        ? uncached
        : t.leaf === 'output_tokens'
          ? u.output_tokens - 0
          : t.leaf === 'requests'
            ? 1
            : u[t.leaf]
    const amount = (t.price * leaf) / t.per
    if (t.direction === 'input') input += amount
    else if (t.direction === 'output') output += amount
    else other += amount
  }
  return { input_price: input, output_price: output, total_price: input + output + other }
}
