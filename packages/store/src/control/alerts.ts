import { randomUUID } from 'node:crypto'
import { NotFoundError } from '@tollgate/core'
import type { ClickHouse } from '../clickhouse/client.js'
import { alertValue, DEFAULT_ALERT_WINDOW_S } from '../clickhouse/alert-value.js'
import type { Db } from '../postgres/client.js'
import { acquireLease, LEASE_NAMES, releaseLease } from '../postgres/lease.js'
import {
  claimFiring,
  claimResolved,
  deleteAlertRule,
  getAlertRule,
  insertAlertEvent,
  insertAlertRule,
  listAlertRules,
  listEnabledAlertRules,
  recordNotification,
  updateAlertRule,
  type AlertRulePatch,
} from '../postgres/alerts.js'
import type { AlertAction, AlertCondition, AlertEvent, AlertRule } from '../postgres/schema.js'
import { notify, type AlertPayload, type NotifyConfig } from './notify.js'

export interface AlertRuleInput {
  name: string
  condition: AlertCondition
  threshold: number
  window_s?: number | null | undefined
  agent_id?: string | null | undefined
  model?: string | null | undefined
  tag?: string | null | undefined
  action_type: AlertAction
  target?: string | null | undefined
  cooldown_s: number
  enabled: boolean
}

export interface AlertRuleView {
  id: string
  name: string
  condition: AlertCondition
  threshold: number
  window_s: number
  agent_id: string | null
  model: string | null
  tag: string | null
  action_type: AlertAction
  target: string | null
  cooldown_s: number
  enabled: boolean
  state: 'ok' | 'firing'
  last_fired_at: string | null
  created_at: string
  updated_at: string
}

export function toAlertRuleView(r: AlertRule): AlertRuleView {
  return {
    id: r.id,
    name: r.name,
    condition: r.condition,
    threshold: r.threshold,
    window_s: r.windowS ?? DEFAULT_ALERT_WINDOW_S[r.condition],
    agent_id: r.agentId,
    model: r.model,
    tag: r.tag,
    action_type: r.actionType,
    target: r.target,
    cooldown_s: r.cooldownS,
    enabled: r.enabled,
    state: r.state,
    last_fired_at: r.lastFiredAt?.toISOString() ?? null,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  }
}

export interface AlertEventView {
  id: number
  kind: 'fired' | 'resolved' | 'sdk'
  rule_id: string | null
  value: number | null
  threshold: number | null
  window_s: number | null
  message: string
  details: Record<string, unknown> | null
  notification: 'pending' | 'sent' | 'failed' | 'skipped'
  notification_attempts: number
  notification_error: string | null
  created_at: string
}

export function toAlertEventView(e: AlertEvent): AlertEventView {
  return {
    id: e.id,
    kind: e.kind,
    rule_id: e.ruleId,
    value: e.value,
    threshold: e.threshold,
    window_s: e.windowS,
    message: e.message,
    details: e.details,
    notification: e.notification,
    notification_attempts: e.notificationAttempts,
    notification_error: e.notificationError,
    created_at: e.createdAt.toISOString(),
  }
}

function toRow(input: Partial<AlertRuleInput>): AlertRulePatch {
  const row: AlertRulePatch = {}
  if (input.name !== undefined) row.name = input.name
  if (input.condition !== undefined) row.condition = input.condition
  if (input.threshold !== undefined) row.threshold = input.threshold
  if (input.window_s !== undefined) row.windowS = input.window_s
  if (input.agent_id !== undefined) row.agentId = input.agent_id
  if (input.model !== undefined) row.model = input.model
  if (input.tag !== undefined) row.tag = input.tag
  if (input.action_type !== undefined) row.actionType = input.action_type
  if (input.target !== undefined) row.target = input.target
  if (input.cooldown_s !== undefined) row.cooldownS = input.cooldown_s
  if (input.enabled !== undefined) row.enabled = input.enabled
  return row
}

export async function createAlertRule({
  db,
  projectId,
  input,
}: {
  db: Db
  projectId: string
  input: AlertRuleInput
}): Promise<AlertRuleView> {
  const row = await insertAlertRule(db, {
    id: `alr_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    projectId,
    name: input.name,
    condition: input.condition,
    threshold: input.threshold,
    ...toRow(input),
  })
  return toAlertRuleView(row)
}

export async function listAlertRuleViews({ db, projectId }: { db: Db; projectId: string }): Promise<AlertRuleView[]> {
  return (await listAlertRules(db, { projectId })).map(toAlertRuleView)
}

/** Applies a partial change; `check` sees the merged rule first (cross-field rules). Another project's id: not found. */
export async function patchAlertRule({
  db,
  projectId,
  id,
  patch,
  check,
}: {
  db: Db
  projectId: string
  id: string
  patch: Partial<AlertRuleInput>
  check?: (merged: AlertRuleView) => void
}): Promise<AlertRuleView> {
  const current = await getAlertRule(db, { projectId, id })
  if (!current) throw new NotFoundError('alert rule', id)
  check?.({ ...toAlertRuleView(current), ...patch } as AlertRuleView)
  const row = await updateAlertRule(db, { projectId, id, patch: toRow(patch) })
  if (!row) throw new NotFoundError('alert rule', id)
  return toAlertRuleView(row)
}

export async function removeAlertRule({ db, projectId, id }: { db: Db; projectId: string; id: string }): Promise<void> {
  if (!(await deleteAlertRule(db, { projectId, id }))) throw new NotFoundError('alert rule', id)
}

const CONDITION_TEXT: Record<AlertCondition, string> = {
  cost_per_hour: 'cost per hour (USD)',
  cost_per_day: 'cost per day (USD)',
  error_rate: 'error rate',
  latency_p95_ms: 'p95 latency (ms)',
  calls_per_minute: 'calls per minute',
  tokens_per_hour: 'tokens per hour',
  pii_detected_count: 'spans with PII',
  injection_attempt_count: 'prompt-injection attempts',
}

/** Stores an event and sends its notification in the background (recording the outcome on the event). */
async function record(
  db: Db,
  config: NotifyConfig,
  pending: Set<Promise<void>>,
  event: Omit<AlertPayload, 'at'> & { at: Date },
  action: AlertAction,
  target: string | null | undefined,
): Promise<AlertEventView> {
  const row = await insertAlertEvent(db, {
    projectId: event.project_id,
    ruleId: event.rule?.id ?? null,
    kind: event.kind,
    value: event.value,
    threshold: event.threshold,
    windowS: event.window_s,
    message: event.message,
    details: event.details ?? null,
    createdAt: event.at,
  })
  const sending = notify(action, target, { ...event, at: event.at.toISOString() }, config)
    .then((r) => recordNotification(db, { id: row.id, outcome: r.outcome, attempts: r.attempts, error: r.error }))
    .catch((error: unknown) => config.log('alert.record_failed', { error: String(error) }))
    .finally(() => pending.delete(sending))
  pending.add(sending)
  return toAlertEventView(row)
}

/** The lease that makes one process at a time the evaluator (`lease.ts`). */
export interface EvaluatorLease {
  /** This process's id (`newLeaseHolder()`), the same for every pass. */
  holder: string
  /** How long a pass's renewal holds it: a few evaluation intervals, so a dead holder is replaced soon after. */
  ttlMs: number
  /** Default `alert-evaluator`. */
  name?: string | undefined
}

export interface AlertEvaluator {
  /**
   * One pass over every enabled rule at `nowMs` (the injectable clock). Fired and resolved events.
   * With a lease, the pass first takes or renews it and evaluates nothing (returns []) when another
   * process holds it; the lease runs on Postgres's clock, not on `nowMs`.
   */
  runOnce(nowMs?: number): Promise<AlertEventView[]>
  /** Stores an SDK-side alert and forwards it to the default target. */
  sdkAlert(
    projectId: string,
    alert: {
      scope: string
      scope_id?: string | undefined
      reason: string
      message?: string | undefined
      threshold?: number | undefined
      current?: number | undefined
      blocked?: boolean | undefined
      at: Date
      details: Record<string, unknown>
    },
  ): Promise<AlertEventView>
  /** Notifications still being sent (tests; shutdown waits for them). */
  settled(): Promise<void>
  /** Gives the lease up (shutdown, once no pass runs): another replica takes over at its next pass, not after the TTL. */
  release(): Promise<void>
}

/**
 * Evaluates rules against ClickHouse. With `lease`, only the process holding the evaluation lease runs
 * a pass (the others read nothing); a holder that dies loses it after its TTL and another replica takes
 * over. Not an advisory lock: held in a transaction around the pass, it would keep a pooled connection
 * the pass itself needs (the embedded PGlite has one: it deadlocks). Firings are still claimed per rule
 * by a conditional update (cooldown), the second guard: a pass that outlives the TTL, or evaluators
 * without a lease (tests driving the clock), still fire a rule once per cooldown. A rule whose
 * condition stops holding records a `resolved` event. Notifications never block a pass.
 */
export function createAlertEvaluator(deps: {
  ch: ClickHouse
  db: Db
  notify: NotifyConfig
  defaultWebhook?: string | undefined
  now?: () => number
  /** Without one, every call evaluates. */
  lease?: EvaluatorLease | undefined
}): AlertEvaluator {
  const pending = new Set<Promise<void>>()
  const clock = deps.now ?? Date.now
  const lease = deps.lease && {
    name: deps.lease.name ?? LEASE_NAMES.alertEvaluator,
    holder: deps.lease.holder,
    ttlMs: deps.lease.ttlMs,
  }
  /** Whether the last pass took the lease: a process that never held it has nothing to release. */
  let held = false
  async function evaluate(nowMs: number): Promise<AlertEventView[]> {
    const events: AlertEventView[] = []
    for (const rule of await listEnabledAlertRules(deps.db)) {
      try {
        const windowS = rule.windowS ?? DEFAULT_ALERT_WINDOW_S[rule.condition]
        const value = await alertValue(deps.ch, {
          projectId: rule.projectId,
          condition: rule.condition,
          windowS,
          nowMs,
          agentId: rule.agentId,
          model: rule.model,
          tag: rule.tag,
        })
        const at = new Date(nowMs)
        const base = {
          project_id: rule.projectId,
          rule: { id: rule.id, name: rule.name, condition: rule.condition },
          value,
          threshold: rule.threshold,
          window_s: windowS,
          at,
        }
        if (value > rule.threshold) {
          if (await claimFiring(deps.db, { id: rule.id, now: at, cooldownS: rule.cooldownS })) {
            const message = `[Tollgate] ${rule.name}: ${CONDITION_TEXT[rule.condition]} ${round(value)} > ${rule.threshold} over ${windowS} s`
            events.push(
              await record(
                deps.db,
                deps.notify,
                pending,
                { ...base, kind: 'fired', message },
                rule.actionType,
                rule.target,
              ),
            )
          }
        } else if (rule.state === 'firing' && (await claimResolved(deps.db, { id: rule.id }))) {
          const message = `[Tollgate] resolved: ${rule.name}: ${CONDITION_TEXT[rule.condition]} ${round(value)} ≤ ${rule.threshold}`
          events.push(
            await record(
              deps.db,
              deps.notify,
              pending,
              { ...base, kind: 'resolved', message },
              rule.actionType,
              rule.target,
            ),
          )
        }
      } catch (error) {
        // One rule's failure (a bad tag, ClickHouse down) never stops the others.
        deps.notify.log('alert.evaluate_failed', {
          rule: rule.id,
          project: rule.projectId,
          error: error instanceof Error ? error.message.split('\n')[0] : String(error),
        })
      }
    }
    return events
  }
  return {
    async runOnce(nowMs = clock()) {
      if (lease) {
        held = await acquireLease(deps.db, lease)
        if (!held) return []
      }
      return evaluate(nowMs)
    },
    async sdkAlert(projectId, a) {
      const message =
        a.message ??
        `[Tollgate] SDK ${a.scope}${a.scope_id ? ` ${a.scope_id}` : ''}: ${a.reason}${a.blocked ? ' (blocked)' : ''}`
      return record(
        deps.db,
        deps.notify,
        pending,
        {
          kind: 'sdk',
          project_id: projectId,
          rule: null,
          value: a.current ?? null,
          threshold: a.threshold ?? null,
          window_s: null,
          message,
          at: a.at,
          details: a.details,
        },
        'webhook',
        deps.defaultWebhook,
      )
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending])
    },
    async release() {
      if (!lease || !held) return
      held = false
      try {
        await releaseLease(deps.db, lease)
      } catch (error) {
        // Postgres gone at shutdown: the lease then passes to another replica when it expires.
        deps.notify.log('alert.lease_release_failed', { error: error instanceof Error ? error.message : String(error) })
      }
    },
  }
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6
