import type { Breaker, CheckResult } from './breaker/breaker.js'
import { CircuitBreakerError } from './breaker/errors.js'
import type { ResolvedConfig } from './config.js'
import type { ControlPlane } from './control.js'
import type { Inflight } from './inflight.js'
import type { CallRecord } from './instrument/capture.js'
import type { SendPlan } from './instrument/fetch.js'
import type { Logger } from './log.js'
import { runBeforeRequest } from './request-hook.js'
import { llmSpan } from './spans.js'
import type { Span } from './types.js'

export interface CallDeps {
  config: ResolvedConfig
  control: ControlPlane
  breaker: Breaker
  log: Logger
  inflight: Inflight
  emit(span: Span): void
}

/**
 * The life of one intercepted call inside the SDK: the decision before it is sent (budgets,
 * breakers, the user's hook), and its span once it is over, blocked or abandoned.
 */
export class Calls {
  constructor(private readonly deps: CallDeps) {}

  /** Budgets and breakers first, then `beforeRequest`; throws (after onBlock) to block. */
  plan(record: CallRecord): SendPlan | Promise<SendPlan> {
    const { control, config, breaker, log } = this.deps
    const decision = control.decide(record)
    if (decision.kind === 'block') return this.block(decision.result)
    const hook = config.beforeRequest
    if (hook) return runBeforeRequest(hook, record, decision, { breaker, log, tags: config.tags })
    if (decision.throttleMs > 0) {
      record.attributes.throttled_ms = decision.throttleMs
      return new Promise((resolve) => setTimeout(() => resolve({ degradeTo: decision.degradeTo }), decision.throttleMs))
    }
    return { degradeTo: decision.degradeTo }
  }

  private async block(result: Extract<CheckResult, { ok: false }>): Promise<never> {
    if (result.onBlock) {
      try {
        await result.onBlock(result.event)
      } catch {
        // onBlock failing does not change the outcome: the call is blocked.
      }
    }
    throw result.error
  }

  /** The call was not sent: a block gets its span, any other failure just leaves the set. */
  blocked(record: CallRecord, err: unknown): void {
    this.deps.inflight.delete(record)
    if (!(err instanceof CircuitBreakerError)) return
    record.finished = true
    record.endPerf = record.startPerf
    record.error = err.message
    record.attributes.blocked = true
    record.attributes.breaker_reason = err.reason
    this.deps.emit(llmSpan(record, !this.deps.config.zeroDataRetention))
  }

  /** Breakers first, at once; the span may wait for the stream's kept events to be read. */
  complete(record: CallRecord): void {
    const { inflight, control, log } = this.deps
    if (record.discarded) return inflight.delete(record)
    try {
      control.recordCall(record)
    } catch (err) {
      log.debug('could not record a call', { error: String(err) })
    }
    const emit = () => {
      try {
        record.settle()
        this.deps.emit(llmSpan(record, !this.deps.config.zeroDataRetention))
      } catch (err) {
        log.debug('could not record a call', { error: String(err) })
      }
      // Only once the span is in the buffer: a flush waiting on this record then commits it.
      inflight.delete(record)
    }
    if (record.unsettled && !record.abandoned) setImmediate(emit)
    else emit()
  }
}
