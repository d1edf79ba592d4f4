import type { AgentFrame } from '../context.js'
import type { Policy, PolicyBudget, PolicyThreshold } from './types.js'

/** Who a call is for, as budgets match it. */
export interface CallScope {
  agents: readonly AgentFrame[]
  tags: Readonly<Record<string, string>>
}

export interface BudgetHit {
  budget: PolicyBudget
  percent: number
  threshold: PolicyThreshold
}

export interface PolicyDecision {
  block?: BudgetHit
  degrade?: BudgetHit
  throttle?: BudgetHit
  alerts: BudgetHit[]
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

/** Spend the SDK saw since the policy was fetched, per budget id, so enforcement does not lag a poll. */
export type LocalSpend = Map<string, { usd: number; tokens: number }>

export function usagePercent(budget: PolicyBudget, local: { usd: number; tokens: number } | undefined, now: number): number {
  const ended = budget.window_ends_at !== undefined && Date.parse(budget.window_ends_at) <= now
  const usd = (ended ? 0 : budget.spent_usd) + (local?.usd ?? 0)
  const tokens = (ended ? 0 : budget.spent_tokens) + (local?.tokens ?? 0)
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

/**
 * Every matching budget is checked; the most restrictive outcome wins (block > degrade >
 * throttle > alert), and a degrade and a throttle from different budgets both apply.
 */
export function evaluatePolicy(policy: Policy | undefined, call: CallScope, local: LocalSpend, now = Date.now()): PolicyDecision {
  const decision: PolicyDecision = { alerts: [] }
  if (!policy) return decision
  for (const budget of policy.budgets) {
    if (!matches(budget, call)) continue
    const percent = usagePercent(budget, local.get(budget.id), now)
    const threshold = activeThreshold(budget, percent)
    if (!threshold || threshold.action === 'allow') continue
    const hit: BudgetHit = { budget, percent, threshold }
    const pick = (cur: BudgetHit | undefined) => (!cur || hit.percent > cur.percent ? hit : cur)
    if (threshold.action === 'block') decision.block = pick(decision.block)
    else if (threshold.action === 'degrade') decision.degrade = pick(decision.degrade)
    else if (threshold.action === 'throttle') {
      if (!decision.throttle || (threshold.throttle_ms ?? 0) > (decision.throttle.threshold.throttle_ms ?? 0)) decision.throttle = hit
    } else decision.alerts.push(hit)
  }
  return decision
}
