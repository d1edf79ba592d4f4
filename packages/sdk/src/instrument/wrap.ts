import type { FetchHooks } from './fetch.js'
import { instrumentFetch } from './fetch.js'
import { globalDispatcher } from './install.js'

const MARK = Symbol.for('tollgate.fetch')

/**
 * Instruments one Stainless-style client (openai, @anthropic-ai/sdk): its `fetch` is replaced
 * by one that checks and observes its calls, with no global patching.
 */
export function wrapFetchOf<T extends object>(client: T, hooks: FetchHooks): T {
  const current: unknown = Reflect.get(client, 'fetch')
  const base = typeof current === 'function' ? (current as typeof fetch) : globalThis.fetch
  if (Reflect.get(base, MARK)) return client
  const wrapped = instrumentFetch(base, hooks, () => {
    const d = globalDispatcher()
    return d ?? (void globalThis.Headers, globalDispatcher())
  })
  Reflect.set(wrapped, MARK, true)
  Reflect.set(client, 'fetch', wrapped)
  return client
}
