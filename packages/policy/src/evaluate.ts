import type { Policy, PolicyAction, PolicyBudget, PolicyThreshold } from './schema.js'

/** Who a call is for, as budgets match it: its agent stack and its tags (context and trace). */
export interface CallScope {
  agents: readonly { id: string; name: string }[]
  tags: Readonly<Record<string, string>>
}

export interface BudgetHit {
  budget: PolicyBudget
  percent: number
  threshold: PolicyThreshold
}

/** Spend not yet in the server's figures (seen locally since the last poll, or a call's estimate). */
export interface ExtraSpend {
  usd: number
  tokens: number
}

/** Most restrictive last: when budgets disagree, the highest rank wins. */
export const ACTION_RANK: Readonly<Record<PolicyAction, number>> = {
  allow: 0,
  alert: 1,
  degrade: 2,
  throttle: 3,
  block: 4,
}

export interface PolicyDecision {
  /** The one action in force: the most restrictive over every matching budget. */
  action: PolicyAction
  /** The budget and threshold that decided it (none for allow). */
  decisive?: BudgetHit
  /** Every matching budget past a non-allow threshold (each raises an alert). */
  hits: BudgetHit[]
}

export function matches(budget: PolicyBudget, call: CallScope): boolean {
  const value = budget.scope_value
  switch (budget.scope) {
    case 'global':
      return true
    case 'agent':
      return call.agents.some((a) => a.id === value || a.name === value)
    case 'tenant':
      return (call.tags.tenant ?? call.tags.tenant_id) === value
    case 'customer':
      return (call.tags.customer ?? call.tags.customer_id) === value
    case 'feature':
      return call.tags.feature === value
    case 'tag':
      return budget.tag_key !== undefined && call.tags[budget.tag_key] === value
  }
}

export function usagePercent(budget: PolicyBudget, extra: ExtraSpend | undefined, now: number): number {
  const ended = budget.window_ends_at !== undefined && Date.parse(budget.window_ends_at) <= now
  const usd = (ended ? 0 : budget.spent_usd) + (extra?.usd ?? 0)
  const tokens = (ended ? 0 : budget.spent_tokens) + (extra?.tokens ?? 0)
  const byUsd = budget.limit_usd ? (usd / budget.limit_usd) * 100 : 0
  const byTokens = budget.limit_tokens ? (tokens / budget.limit_tokens) * 100 : 0
  return Math.max(byUsd, byTokens)
}

/** The threshold in force: the highest one the usage has reached. */
export function activeThreshold(budget: PolicyBudget, percent: number): PolicyThreshold | undefined {
  let active: PolicyThreshold | undefined
  for (const t of budget.thresholds) if (percent >= t.percent) active = t
  return active
}

/** Between two hits of the same action: the longer throttle, else the budget further along. */
function stronger(a: BudgetHit, b: BudgetHit): BudgetHit {
  if (a.threshold.action === 'throttle') return (b.threshold.throttle_ms ?? 0) > (a.threshold.throttle_ms ?? 0) ? b : a
  return b.percent > a.percent ? b : a
}

/**
 * Every matching budget is checked and the most restrictive action wins
 * (block > throttle > degrade > alert > allow). `extra` adds spend per budget id that the
 * server does not know yet.
 */
export function evaluatePolicy(
  policy: Policy | undefined,
  call: CallScope,
  extra?: (budgetId: string) => ExtraSpend | undefined,
  now = Date.now(),
): PolicyDecision {
  const decision: PolicyDecision = { action: 'allow', hits: [] }
  if (!policy) return decision
  for (const budget of policy.budgets) {
    if (!matches(budget, call)) continue
    const percent = usagePercent(budget, extra?.(budget.id), now)
    const threshold = activeThreshold(budget, percent)
    if (!threshold || threshold.action === 'allow') continue
    const hit: BudgetHit = { budget, percent, threshold }
    decision.hits.push(hit)
    const current = decision.decisive
    const rank = ACTION_RANK[threshold.action]
    if (!current || rank > ACTION_RANK[decision.action]) {
      decision.decisive = hit
      decision.action = threshold.action
    } else if (rank === ACTION_RANK[decision.action]) decision.decisive = stronger(current, hit)
  }
  return decision
}
