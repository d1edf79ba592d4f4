export type BreakerState = 'CLOSED' | 'OPEN' | 'PAUSED' | 'HALF_OPEN'

/** Why a call was alerted on or blocked. */
export type BreakerReason =
  | 'budget_exceeded'
  | 'error_rate'
  | 'calls_per_minute'
  | 'circuit_open'
  | 'circuit_paused'
  | 'circuit_half_open'
  | 'server_budget'
  /** A `beforeRequest` hook cancelled the call. */
  | 'request_cancelled'

export type MonitorScope = 'global' | 'agent'

/** Recovery controls of one monitor (global or one agent). */
export interface MonitorHandle {
  /** Stop every call for `seconds`, then let one probe call through (PAUSED → HALF_OPEN). */
  pause(seconds: number): void
  /** Raise the hourly budget by `usd` and close the circuit at once. */
  increaseBudget(usd: number): void
  /** Clear the windows and close the circuit. */
  reset(): void
  snapshot(): MonitorSnapshot
}

export interface MonitorSnapshot {
  scope: MonitorScope
  scope_id: string
  name: string
  state: BreakerState
  /** USD spent in the rolling hour. */
  spend_last_hour_usd: number
  budget_per_hour_usd: number | null
  calls_last_minute: number
  max_calls_per_minute: number | null
  calls_last_5min: number
  errors_last_5min: number
  error_rate: number
  max_error_rate: number | null
  block_on_threshold: boolean
  paused_until: string | null
}

export interface BreakerSnapshot {
  /** State of the global monitor. */
  state: BreakerState
  global: MonitorSnapshot
  agents: MonitorSnapshot[]
  /** Server budgets last fetched from `/api/policy`, if any. */
  policy: { version: string | null; fetched_at: string | null; budgets: number } | null
}

export interface AlertEvent {
  scope: MonitorScope | 'budget'
  scope_id: string
  reason: BreakerReason
  message: string
  threshold: number
  current: number
  /** Whether this violation blocks calls (blockOnThreshold or a server block). */
  blocked: boolean
  timestamp: string
}

export interface BlockEvent extends AlertEvent {
  /** Snapshot of the monitor that blocked. */
  state: MonitorSnapshot
  monitor: MonitorHandle
}

export type TransitionEvent =
  'triggered' | 'paused' | 'half_open' | 'recovered' | 'retrip' | 'budget_increased' | 'reset'

export interface Transition {
  scope: MonitorScope
  scope_id: string
  name: string
  event: TransitionEvent
  from: BreakerState
  to: BreakerState
  reason?: BreakerReason
  timestamp: string
  snapshot: MonitorSnapshot
}
