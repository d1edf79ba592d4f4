import type { BreakerReason, MonitorHandle, MonitorSnapshot } from './types.js'

// LangChain.js retries a failed call up to 6 times with exponential backoff (about a minute)
// unless the error carries this registered symbol set to false (@langchain/core errors).
const LANGCHAIN_RETRYABLE = Symbol.for('langchain.errors.retryable')

/**
 * Thrown instead of sending a request when a circuit breaker or a server budget blocks it.
 * Nothing left the process; no tokens were spent.
 *
 * @example
 * try {
 *   await openai.chat.completions.create({ model: 'gpt-4o', messages })
 * } catch (err) {
 *   if (err instanceof CircuitBreakerError) {
 *     console.warn(err.reason, err.state.spend_last_hour_usd)
 *     err.monitor.increaseBudget(5) // or pause(60), reset()
 *   } else throw err
 * }
 */
export class CircuitBreakerError extends Error {
  override readonly name = 'CircuitBreakerError'

  constructor(
    message: string,
    readonly reason: BreakerReason,
    readonly state: MonitorSnapshot,
    readonly monitor: MonitorHandle,
  ) {
    super(message)
    // Retrying a block cannot succeed: tell LangChain's retry loop to throw at once.
    Object.defineProperty(this, LANGCHAIN_RETRYABLE, { value: false, configurable: true })
  }
}

/**
 * True when `err` or any error in its `cause` chain is a {@link CircuitBreakerError}. Clients that
 * wrap transport errors (e.g. an OpenAI client created before `instrument()`) surface the block as
 * their own connection error with the breaker error as its cause.
 *
 * @example
 * catch (err) { if (isCircuitBreakerError(err)) return fallbackAnswer() }
 */
export function isCircuitBreakerError(err: unknown): boolean {
  let e: unknown = err
  for (let depth = 0; depth < 8 && e; depth++) {
    if (e instanceof CircuitBreakerError) return true
    e = e instanceof Error ? e.cause : undefined
  }
  return false
}
