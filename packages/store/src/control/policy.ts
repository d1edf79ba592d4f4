import { Policy, type BudgetWindow } from '@tollgate/policy'
import type { ClickHouse } from '../clickhouse/client.js'
import { spendByScope } from '../clickhouse/spend.js'
import type { Db } from '../postgres/client.js'
import { listBudgets } from '../postgres/budgets.js'

const HOUR = 3_600_000

/** The current window of a budget at `nowMs`: where its spend starts and, for calendar windows (UTC), when it ends. */
export function currentWindow(window: BudgetWindow, nowMs: number): { fromMs: number; endsAtMs?: number } {
  const d = new Date(nowMs)
  switch (window) {
    case 'hour': {
      const fromMs = Math.floor(nowMs / HOUR) * HOUR
      return { fromMs, endsAtMs: fromMs + HOUR }
    }
    case 'day': {
      const fromMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
      return { fromMs, endsAtMs: fromMs + 24 * HOUR }
    }
    case 'month':
      return {
        fromMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
        endsAtMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
      }
    case 'rolling_1h':
      return { fromMs: nowMs - HOUR }
    case 'rolling':
    case 'rolling_24h':
      return { fromMs: nowMs - 24 * HOUR }
  }
}

/** How often SDKs are asked to poll. */
export const POLICY_POLL_INTERVAL_S = 10

/**
 * The policy an SDK enforces: every enabled budget of the project with the spend of its current window
 * computed here from the stored spans, so a budget holds across every process that reports to the
 * project. Validated with the shared schema before it leaves.
 */
export async function buildPolicy({
  ch,
  db,
  projectId,
  nowMs = Date.now(),
}: {
  ch: ClickHouse
  db: Db
  projectId: string
  nowMs?: number
}): Promise<Policy> {
  const rows = await listBudgets(db, { projectId, enabledOnly: true })
  const windows = rows.map((b) => currentWindow(b.window, nowMs))
  // Spans a moment in the future (clock skew) still count against the current window.
  const spend = await spendByScope(
    ch,
    projectId,
    rows.map((b, i) => ({
      scope: b.scope,
      scopeValue: b.scopeValue,
      tagKey: b.tagKey,
      fromUs: (windows[i]?.fromMs ?? nowMs) * 1000,
    })),
    (nowMs + 5 * 60_000) * 1000,
    { nowUs: nowMs * 1000 },
  )
  const latest = rows.reduce((m, b) => Math.max(m, b.updatedAt.getTime()), 0)
  return Policy.parse({
    version: `${new Date(latest).toISOString()}#${rows.length}`,
    generated_at: new Date(nowMs).toISOString(),
    poll_interval_s: POLICY_POLL_INTERVAL_S,
    budgets: rows.map((b, i) => {
      const endsAt = windows[i]?.endsAtMs
      return {
        id: b.id,
        name: b.name,
        scope: b.scope,
        ...(b.scopeValue !== null ? { scope_value: b.scopeValue } : {}),
        ...(b.tagKey !== null ? { tag_key: b.tagKey } : {}),
        ...(b.limitUsd !== null ? { limit_usd: b.limitUsd } : {}),
        ...(b.limitTokens !== null ? { limit_tokens: b.limitTokens } : {}),
        window: b.window,
        spent_usd: spend[i]?.usd ?? 0,
        spent_tokens: spend[i]?.tokens ?? 0,
        ...(endsAt !== undefined ? { window_ends_at: new Date(endsAt).toISOString() } : {}),
        thresholds: b.thresholds,
      }
    }),
  })
}

/**
 * Policies per project for `ttlMs`, so SDKs polling every few seconds cost one build per project per
 * TTL; concurrent requests for a project share one build.
 */
export class PolicyCache {
  private readonly entries = new Map<string, { at: number; value: Promise<Policy> }>()

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(projectId: string, build: () => Promise<Policy>): Promise<Policy> {
    const hit = this.entries.get(projectId)
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value
    const value = build()
    this.entries.set(projectId, { at: this.now(), value })
    value.catch(() => this.entries.delete(projectId))
    if (this.entries.size > 10_000) this.entries.delete(this.entries.keys().next().value ?? '')
    return value
  }

  /** After a budget changes on this process its policy is rebuilt at once (other processes within the TTL). */
  invalidate(projectId: string): void {
    this.entries.delete(projectId)
  }
}
