import type { AgentFrame } from '../context.js'
import { CircuitBreakerError } from './errors.js'
import type { MonitorLimits, Violation } from './monitor.js'
import { Monitor } from './monitor.js'
import type { AlertEvent, BlockEvent, MonitorSnapshot, Transition } from './types.js'

// Dynamic agent ids (one per user, say) must not grow memory without bound.
const MAX_AGENT_MONITORS = 1000

export interface BreakerOptions {
  global: MonitorLimits
  now?: () => number
  onTransition?: (t: Transition) => void
  /** Every alert that passed its cool-down, after the user's callback ran. */
  onAlert?: (alert: AlertEvent) => void
}

/** Monitors a call went through, so its outcome is recorded against each of them. */
export interface Ticket {
  monitors: Monitor[]
  probes: Monitor[]
}

export type CheckResult =
  | { ok: true; ticket: Ticket }
  | { ok: false; error: CircuitBreakerError; event: BlockEvent; onBlock: MonitorLimits['onBlock'] }

function callSafely(fn: ((arg: AlertEvent) => void | Promise<void>) | undefined, arg: AlertEvent): void {
  if (!fn) return
  try {
    const r = fn(arg)
    if (r && typeof r.then === 'function') r.then(undefined, () => undefined)
  } catch {
    // A failing alert callback must never break the call it alerts about.
  }
}

/** The global monitor plus one per agent; a call is checked against the whole agent stack. */
export class Breaker {
  readonly global: Monitor
  private readonly agents = new Map<string, Monitor>()
  private readonly now: () => number

  constructor(private readonly opts: BreakerOptions) {
    this.now = opts.now ?? Date.now
    this.global = new Monitor('global', 'default', 'global', opts.global, this.now, (t) => this.transition(t))
  }

  private transition(t: Transition): void {
    try {
      this.opts.onTransition?.(t)
    } catch {
      // Reporting is best effort.
    }
  }

  monitorFor(frame: AgentFrame): Monitor | undefined {
    const limits: MonitorLimits = {
      budgetPerHour: frame.limits.budgetPerHour,
      maxErrorRate: frame.limits.maxErrorRate,
      maxCallsPerMinute: frame.limits.maxCallsPerMinute,
      blockOnThreshold: frame.limits.blockOnThreshold ?? this.opts.global.blockOnThreshold,
      onAlert: this.opts.global.onAlert,
      onBlock: this.opts.global.onBlock,
    }
    let m = this.agents.get(frame.id)
    if (m) {
      // Re-entering an agent with new limits updates them; spend and state carry over.
      m.limits = limits
      return m
    }
    if (this.agents.size >= MAX_AGENT_MONITORS) return undefined
    m = new Monitor('agent', frame.id, frame.name, limits, this.now, (t) => this.transition(t))
    this.agents.set(frame.id, m)
    return m
  }

  /** True when a spend budget applies to a call of this agent stack (worth pricing its prompt). */
  budgeted(agents: readonly AgentFrame[]): boolean {
    return (
      this.global.budget !== undefined ||
      agents.some((a) => a.limits.budgetPerHour !== undefined || this.agents.get(a.id)?.budget !== undefined)
    )
  }

  /** Global first, then outer to inner agent. */
  chain(agents: readonly AgentFrame[]): Monitor[] {
    const out = [this.global]
    for (const frame of agents) {
      const m = this.monitorFor(frame)
      if (m && !out.includes(m)) out.push(m)
    }
    return out
  }

  /**
   * Checks a call against every monitor of its agent stack. Alerts fire for each violation
   * (60 s cool-down per reason and monitor); the innermost blocking monitor decides the error.
   */
  check(agents: readonly AgentFrame[], projectedUsd = 0): CheckResult {
    const monitors = this.chain(agents)
    const verdicts = monitors.map((m) => ({ m, v: m.evaluate(projectedUsd) }))
    for (const { m, v } of verdicts) for (const violation of v.alerts) this.alert(m, violation)
    const blocking = verdicts.filter((x) => x.v.kind === 'block')
    const last = blocking[blocking.length - 1]
    if (last && last.v.kind === 'block') {
      for (const { m, v } of blocking) if (v.kind === 'block') m.trip(v.violation.reason)
      return this.blocked(last.m, last.v.violation)
    }
    const probes: Monitor[] = []
    for (const { m, v } of verdicts) {
      const probe = v.kind === 'allow' && v.probe
      m.admit(probe)
      if (probe) probes.push(m)
    }
    return { ok: true, ticket: { monitors, probes } }
  }

  record(ticket: Ticket, costUsd: number, error: boolean): void {
    for (const m of ticket.monitors) m.record(costUsd, error, ticket.probes.includes(m))
  }

  /** Spend priced after the call was recorded (no budget was waiting for it). */
  addSpend(ticket: Ticket, costUsd: number): void {
    for (const m of ticket.monitors) m.recordSpend(costUsd)
  }

  recordSpend(agents: readonly AgentFrame[], costUsd: number): void {
    for (const m of this.chain(agents)) m.recordSpend(costUsd)
  }

  /** An alert raised by something other than a local threshold (server budgets). */
  externalAlert(alert: AlertEvent): void {
    callSafely(this.opts.global.onAlert, alert)
    this.opts.onAlert?.(alert)
  }

  /** The block decided elsewhere (a server budget) still goes through onBlock and the error type. */
  externalBlock(violation: Violation, scopeId: string): CheckResult {
    const alert = this.alertEvent(this.global, violation, true)
    alert.scope = 'budget'
    alert.scope_id = scopeId
    const event: BlockEvent = { ...alert, state: this.global.snapshot(), monitor: this.global.handle }
    const error = new CircuitBreakerError(
      `Blocked by Tollgate: ${violation.message}`,
      violation.reason,
      event.state,
      this.global.handle,
    )
    return { ok: false, error, event, onBlock: this.opts.global.onBlock }
  }

  snapshot(): { global: MonitorSnapshot; agents: MonitorSnapshot[] } {
    return { global: this.global.snapshot(), agents: [...this.agents.values()].map((m) => m.snapshot()) }
  }

  private alertEvent(m: Monitor, v: Violation, blocked: boolean): AlertEvent {
    return {
      scope: m.scope,
      scope_id: m.id,
      reason: v.reason,
      message: v.message,
      threshold: v.threshold,
      current: v.current,
      blocked,
      timestamp: new Date(this.now()).toISOString(),
    }
  }

  private alert(m: Monitor, v: Violation): void {
    if (!m.alertDue(v.reason)) return
    const alert = this.alertEvent(m, v, m.limits.blockOnThreshold)
    callSafely(m.limits.onAlert, alert)
    try {
      this.opts.onAlert?.(alert)
    } catch {
      // Reporting is best effort.
    }
  }

  private blocked(m: Monitor, v: Violation): CheckResult {
    const event: BlockEvent = { ...this.alertEvent(m, v, true), state: m.snapshot(), monitor: m.handle }
    const where = m.scope === 'global' ? 'global' : `agent "${m.name}"`
    const error = new CircuitBreakerError(
      `Blocked by Tollgate circuit breaker (${where}): ${v.message}`,
      v.reason,
      event.state,
      m.handle,
    )
    return { ok: false, error, event, onBlock: m.limits.onBlock }
  }
}
