import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { DispatcherLike } from './dispatcher.js'
import { isWrapped, unwrap, wrapDispatcher } from './dispatcher.js'
import type { FetchHooks } from './fetch.js'
import { instrumentFetch } from './fetch.js'

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1')
const MARK = Symbol.for('tollgate.fetch')

/** Which clients `instrument()` will capture: the packages an application can load, plus the transports. */
export interface InstrumentResult {
  openai: boolean
  anthropic: boolean
  gemini: boolean
  vercelAi: boolean
  langchain: boolean
  /** `globalThis.fetch` is patched (clients created after instrument()). */
  fetch: boolean
  /** undici's global dispatcher is observed (clients that kept an older fetch, undici.request). */
  undici: boolean
}

function isDispatcher(v: unknown): v is DispatcherLike {
  return typeof v === 'object' && v !== null && typeof Reflect.get(v, 'dispatch') === 'function'
}

function resolvable(name: string): boolean {
  // Resolved from the application's directory, where its own dependencies live.
  for (const base of [join(process.cwd(), 'noop.js'), import.meta.url]) {
    try {
      createRequire(base).resolve(name)
      return true
    } catch {
      // try the next base
    }
  }
  return false
}

export function globalDispatcher(): DispatcherLike | undefined {
  const d: unknown = Reflect.get(globalThis, GLOBAL_DISPATCHER)
  return isDispatcher(d) ? d : undefined
}

/** Patches globalThis.fetch and undici's global dispatcher; undone by {@link Installation.uninstall}. */
export class Installation {
  private originalFetch: typeof fetch | undefined
  private patchedFetch: typeof fetch | undefined
  private hooks: FetchHooks | undefined

  get installed(): boolean {
    return this.patchedFetch !== undefined
  }

  install(hooks: FetchHooks): InstrumentResult {
    this.hooks = hooks
    if (!this.patchedFetch && typeof globalThis.fetch === 'function' && !Reflect.get(globalThis.fetch, MARK)) {
      this.originalFetch = globalThis.fetch
      const patched = instrumentFetch(this.originalFetch, hooks)
      Reflect.set(patched, MARK, true)
      this.patchedFetch = patched
      globalThis.fetch = patched
    }
    return {
      openai: resolvable('openai'),
      anthropic: resolvable('@anthropic-ai/sdk'),
      gemini: resolvable('@google/genai'),
      vercelAi: resolvable('ai'),
      langchain: resolvable('@langchain/core'),
      fetch: this.patchedFetch !== undefined,
      undici: isWrapped(this.ensureDispatcher() && globalDispatcher()),
    }
  }

  /**
   * Node creates its global dispatcher lazily; reading `Headers` loads undici, which creates it.
   * Re-checked on every LLM call, so a dispatcher set later (a proxy agent) is observed too.
   */
  ensureDispatcher(): DispatcherLike | undefined {
    const hooks = this.hooks
    if (!hooks) return undefined
    const current = globalDispatcher() ?? (void globalThis.Headers, globalDispatcher())
    if (!current) return undefined
    if (isWrapped(current)) return unwrap(current)
    try {
      Reflect.set(globalThis, GLOBAL_DISPATCHER, wrapDispatcher(current, hooks))
    } catch {
      // Not replaceable: calls through the patched fetch are still observed.
    }
    return current
  }

  uninstall(): void {
    if (this.patchedFetch && globalThis.fetch === this.patchedFetch && this.originalFetch)
      globalThis.fetch = this.originalFetch
    // If someone wrapped fetch after us, ours stays in their chain but passes through (hooks inactive).
    this.patchedFetch = undefined
    this.originalFetch = undefined
    const current = globalDispatcher()
    if (current && isWrapped(current)) {
      try {
        Reflect.set(globalThis, GLOBAL_DISPATCHER, unwrap(current))
      } catch {
        // Leave it: an inactive wrapper passes everything through.
      }
    }
    this.hooks = undefined
  }
}
