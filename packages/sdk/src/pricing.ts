import type { calcPrice } from '@pydantic/genai-prices'
import type { Cost, Usage } from './types.js'

type CalcPrice = typeof calcPrice

let calc: CalcPrice | undefined
let loading: Promise<void> | undefined

/**
 * Loads the price table (the same `@pydantic/genai-prices` data the server uses) off the
 * import path: it is large, and only needed once a call has finished.
 */
export function loadPrices(): Promise<void> {
  loading ??= import('@pydantic/genai-prices').then(
    (m) => {
      calc = m.calcPrice
    },
    () => undefined,
  )
  return loading
}

export const pricesLoaded = (): boolean => calc !== undefined

// Calls repeat the same shapes (same model, similar usage): a small memo saves ~10 µs each.
const memo = new Map<string, Cost | undefined>()
const MEMO_MAX = 512

// Our provider ids are genai-prices ids already, except these.
const PROVIDER_IDS: Record<string, string | undefined> = { ollama: undefined }

/**
 * USD cost of a call, or undefined when the model is unknown (or prices are not loaded yet).
 * `usage` follows the OpenAI convention, which is also genai-prices' convention.
 */
export function priceOf(
  provider: string | undefined,
  model: string | undefined,
  usage: Usage | undefined,
): Cost | undefined {
  if (!calc || !model || !usage) return undefined
  if (provider && provider in PROVIDER_IDS && PROVIDER_IDS[provider] === undefined) return undefined
  const priced = {
    input_tokens: usage.input_tokens ?? 0,
    output_tokens: usage.output_tokens ?? 0,
    cache_read_tokens: usage.cache_read_tokens ?? 0,
    cache_write_tokens: usage.cache_write_tokens ?? 0,
  }
  const key = `${provider ?? ''}|${model}|${priced.input_tokens}|${priced.output_tokens}|${priced.cache_read_tokens}|${priced.cache_write_tokens}`
  if (memo.has(key)) return memo.get(key)
  let cost: Cost | undefined
  try {
    const r = (provider ? calc(priced, model, { providerId: provider }) : null) ?? calc(priced, model)
    cost = r ? { input_usd: r.input_price, output_usd: r.output_price, total_usd: r.total_price } : undefined
  } catch {
    cost = undefined
  }
  if (memo.size >= MEMO_MAX) memo.clear()
  memo.set(key, cost)
  return cost
}
