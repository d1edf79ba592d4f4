import type {
  AlertEvent,
  BlockEvent,
  BreakerReason,
  BreakerState,
  MonitorHandle,
  MonitorScope,
  MonitorSnapshot,
  Transition,
  TransitionEvent,
} from './types.js'
import { SlidingWindow } from './window.js'

export interface MonitorLimits {
  budgetPerHour?: number
  maxErrorRate?: number
  maxCallsPerMinute?: number
  blockOnThreshold: boolean
  onAlert?: (alert: AlertEvent) => void | Promise<void>
  onBlock?: (event: BlockEvent) => void | Promise<void>
}

export interface Violation {
  reason: BreakerReason
  message: string
  threshold: number
  current: number
}

/** What one monitor says about the next call. */
export type Verdict =
  { kind: 'allow'; probe: boolean; alerts: Violation[] } | { kind: 'block'; violation: Violation; alerts: Violation[] }

export const ERROR_WINDOW_MS = 300_000
// A probe whose outcome never arrives (a body nobody reads) must not hold the circuit forever.
export const PROBE_TIMEOUT_MS = 600_000
export const MIN_CALLS_FOR_ERROR_RATE = 10

const iso = (t: number) => new Date(t).toISOString()

/**
 * One circuit breaker (global or one agent). CLOSED → OPEN on a violation when blocking;
 * OPEN → PAUSED by pause(); PAUSED → HALF_OPEN when the pause ends; one probe call then
 * closes it (success) or reopens it (error). increaseBudget() and reset() close it at once.
 */
export class Monitor implements MonitorHandle {
  state: BreakerState = 'CLOSED'
  private pausedUntil = 0
  private probeInFlight = false
  private probeStartedAt = 0
  private budgetBoost = 0
  private readonly spend = new SlidingWindow(3_600_000)
  private readonly calls = new SlidingWindow(60_000)
  private readonly outcomes = new SlidingWindow(ERROR_WINDOW_MS)
  private readonly lastAlert = new Map<BreakerReason, number>()
  /** What users get on errors and events: the recovery controls, not the internals. */
  readonly handle: MonitorHandle = {
    pause: (seconds) => this.pause(seconds),
    increaseBudget: (usd) => this.increaseBudget(usd),
    reset: () => this.reset(),
    snapshot: () => this.snapshot(),
  }

  constructor(
    readonly scope: MonitorScope,
    readonly id: string,
    readonly name: string,
    public limits: MonitorLimits,
    private readonly now: () => number,
    private readonly onTransition: (t: Transition) => void,
  ) {}

  get budget(): number | undefined {
    return this.limits.budgetPerHour === undefined ? undefined : this.limits.budgetPerHour + this.budgetBoost
  }

  /**
   * Violations of the configured thresholds, in the order they are reported. `projectedUsd` is
   * the priced prompt of the call being decided: a call that would cross the budget is refused
   * before it is sent, not after.
   */
  violations(now: number, projectedUsd = 0): Violation[] {
    const out: Violation[] = []
    const budget = this.budget
    if (budget !== undefined) {
      const spent = this.spend.read(now).sum
      if (spent >= budget) {
        out.push({
          reason: 'budget_exceeded',
          message: `hourly budget exceeded: $${spent.toFixed(4)} of $${budget}`,
          threshold: budget,
          current: spent,
        })
      } else if (projectedUsd > 0 && spent + projectedUsd > budget) {
        const message = `this call's prompt (~$${projectedUsd.toFixed(4)}) would cross the hourly budget: $${spent.toFixed(4)} of $${budget} spent`
        out.push({ reason: 'budget_exceeded', message, threshold: budget, current: spent + projectedUsd })
      }
    }
    const maxRate = this.limits.maxErrorRate
    if (maxRate !== undefined) {
      const { sum: errors, count } = this.outcomes.read(now)
      const rate = count ? errors / count : 0
      if (count >= MIN_CALLS_FOR_ERROR_RATE && rate >= maxRate) {
        out.push({
          reason: 'error_rate',
          message: `error rate ${(rate * 100).toFixed(1)}% over 5 min (${errors}/${count})`,
          threshold: maxRate,
          current: rate,
        })
      }
    }
    const maxCalls = this.limits.maxCallsPerMinute
    if (maxCalls !== undefined) {
      const calls = this.calls.read(now).count
      if (calls >= maxCalls) {
        out.push({
          reason: 'calls_per_minute',
          message: `${calls} calls in the last minute (limit ${maxCalls}): loop suspected`,
          threshold: maxCalls,
          current: calls,
        })
      }
    }
    return out
  }

  /** Decides the next call. Side effects limited to the PAUSED → HALF_OPEN timeout. */
  evaluate(projectedUsd = 0): Verdict {
    const now = this.now()
    if (this.state === 'PAUSED' && now >= this.pausedUntil) this.move('HALF_OPEN', 'half_open')
    switch (this.state) {
      case 'OPEN':
        return { kind: 'block', violation: this.stateViolation('circuit_open', 'circuit open'), alerts: [] }
      case 'PAUSED':
        return {
          kind: 'block',
          violation: this.stateViolation('circuit_paused', `circuit paused until ${iso(this.pausedUntil)}`),
          alerts: [],
        }
      case 'HALF_OPEN':
        if (this.probeInFlight && now - this.probeStartedAt < PROBE_TIMEOUT_MS) {
          return {
            kind: 'block',
            violation: this.stateViolation('circuit_half_open', 'circuit half-open: probe call in flight'),
            alerts: [],
          }
        }
        return { kind: 'allow', probe: true, alerts: [] }
      case 'CLOSED': {
        const found = this.violations(now, projectedUsd)
        const first = found[0]
        if (first && this.limits.blockOnThreshold) return { kind: 'block', violation: first, alerts: found }
        return { kind: 'allow', probe: false, alerts: found }
      }
    }
  }

  /** The call goes ahead: count it (loop detection counts attempts, not completions). */
  admit(probe: boolean): void {
    const now = this.now()
    this.calls.add(now)
    if (probe) {
      this.probeInFlight = true
      this.probeStartedAt = now
    }
  }

  /** A threshold blocked: the circuit opens. */
  trip(reason: BreakerReason): void {
    if (this.state === 'CLOSED') this.move('OPEN', 'triggered', reason)
  }

  /** Records a finished call. `error` is a provider or transport failure, not a client abort. */
  record(costUsd: number, error: boolean, probe: boolean): void {
    const now = this.now()
    if (costUsd > 0) this.spend.add(now, costUsd)
    this.outcomes.add(now, error ? 1 : 0)
    if (probe && this.state === 'HALF_OPEN') {
      this.probeInFlight = false
      if (error) this.move('OPEN', 'retrip')
      else this.move('CLOSED', 'recovered')
    }
  }

  /** Records spend reported without a call (report() of an LLM span). */
  recordSpend(costUsd: number): void {
    if (costUsd > 0) this.spend.add(this.now(), costUsd)
  }

  /** True when an alert for `reason` is due (60 s cool-down per reason). */
  alertDue(reason: BreakerReason, cooldownMs = 60_000): boolean {
    const now = this.now()
    const last = this.lastAlert.get(reason)
    if (last !== undefined && now - last < cooldownMs) return false
    this.lastAlert.set(reason, now)
    return true
  }

  pause(seconds: number): void {
    const s = Number.isFinite(seconds) && seconds > 0 ? seconds : 0
    this.pausedUntil = this.now() + s * 1000
    this.probeInFlight = false
    this.move('PAUSED', 'paused')
  }

  increaseBudget(usd: number): void {
    if (Number.isFinite(usd) && usd > 0) this.budgetBoost += usd
    this.probeInFlight = false
    this.move('CLOSED', 'budget_increased', undefined, true)
  }

  reset(): void {
    this.spend.clear()
    this.calls.clear()
    this.outcomes.clear()
    this.lastAlert.clear()
    this.budgetBoost = 0
    this.probeInFlight = false
    this.move('CLOSED', 'reset', undefined, true)
  }

  snapshot(): MonitorSnapshot {
    const now = this.now()
    const outcomes = this.outcomes.read(now)
    return {
      scope: this.scope,
      scope_id: this.id,
      name: this.name,
      state: this.state,
      spend_last_hour_usd: this.spend.read(now).sum,
      budget_per_hour_usd: this.budget ?? null,
      calls_last_minute: this.calls.read(now).count,
      max_calls_per_minute: this.limits.maxCallsPerMinute ?? null,
      calls_last_5min: outcomes.count,
      errors_last_5min: outcomes.sum,
      error_rate: outcomes.count ? outcomes.sum / outcomes.count : 0,
      max_error_rate: this.limits.maxErrorRate ?? null,
      block_on_threshold: this.limits.blockOnThreshold,
      paused_until: this.state === 'PAUSED' ? iso(this.pausedUntil) : null,
    }
  }

  private stateViolation(reason: BreakerReason, message: string): Violation {
    return { reason, message, threshold: 0, current: 0 }
  }

  private move(to: BreakerState, event: TransitionEvent, reason?: BreakerReason, always = false): void {
    const from = this.state
    if (from === to && !always) return
    this.state = to
    this.onTransition({
      scope: this.scope,
      scope_id: this.id,
      name: this.name,
      event,
      from,
      to,
      reason,
      timestamp: iso(this.now()),
      snapshot: this.snapshot(),
    })
  }
}
