/**
 * The server budget policy the SDK enforces (`GET /api/policy`). Documented in the README;
 * parsed leniently: an invalid budget is skipped, never fatal.
 */
export type BudgetScope = 'global' | 'agent' | 'tenant' | 'customer' | 'feature' | 'tag'
export type BudgetWindow = 'hour' | 'day' | 'month' | 'rolling'
export type PolicyAction = 'allow' | 'alert' | 'degrade' | 'throttle' | 'block'

export interface PolicyThreshold {
  /** Percent of the limit (spent / limit × 100) from which the action applies. */
  percent: number
  action: PolicyAction
  /** For `degrade`: the model the request is rewritten to. */
  degrade_to_model?: string
  /** For `throttle`: how long the request is held before it is sent. */
  throttle_ms?: number
}

export interface PolicyBudget {
  id: string
  name?: string
  scope: BudgetScope
  /** agent: agent id or name; tenant/customer/feature: the tag value; tag: the value of `tag_key`. */
  scope_value?: string
  tag_key?: string
  limit_usd?: number
  limit_tokens?: number
  window: BudgetWindow
  /** Current spend of this scope in the current window, as the server knows it. */
  spent_usd: number
  spent_tokens: number
  /** When the current window ends; after it the SDK treats the spend as zero until the next poll. */
  window_ends_at?: string
  thresholds: PolicyThreshold[]
}

export interface Policy {
  version?: string
  generated_at?: string
  /** The server may ask for a different poll interval (bounded 5 s to 1 h). */
  poll_interval_s?: number
  budgets: PolicyBudget[]
}

const SCOPES: readonly string[] = ['global', 'agent', 'tenant', 'customer', 'feature', 'tag']
const WINDOWS: readonly string[] = ['hour', 'day', 'month', 'rolling']
const ACTIONS: readonly string[] = ['allow', 'alert', 'degrade', 'throttle', 'block']

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined)
const nonNeg = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined)

function parseThreshold(v: unknown): PolicyThreshold | undefined {
  if (!isObj(v)) return undefined
  const percent = nonNeg(v.percent)
  const action = str(v.action)
  if (percent === undefined || !action || !ACTIONS.includes(action)) return undefined
  const t: PolicyThreshold = { percent, action: action as PolicyAction }
  const to = str(v.degrade_to_model)
  if (to) t.degrade_to_model = to
  const ms = nonNeg(v.throttle_ms)
  if (ms !== undefined) t.throttle_ms = Math.min(ms, 60_000)
  if (t.action === 'degrade' && !t.degrade_to_model) return undefined
  return t
}

export function parseBudget(v: unknown): PolicyBudget | undefined {
  if (!isObj(v)) return undefined
  const id = str(v.id)
  const scope = str(v.scope) ?? 'global'
  if (!id || !SCOPES.includes(scope)) return undefined
  const limitUsd = nonNeg(v.limit_usd)
  const limitTokens = nonNeg(v.limit_tokens)
  if (!limitUsd && !limitTokens) return undefined
  if (scope !== 'global' && !str(v.scope_value)) return undefined
  if (scope === 'tag' && !str(v.tag_key)) return undefined
  const window = str(v.window) ?? 'month'
  const thresholds = (Array.isArray(v.thresholds) ? v.thresholds : []).map(parseThreshold).filter((t): t is PolicyThreshold => !!t)
  return {
    id,
    name: str(v.name),
    scope: scope as BudgetScope,
    scope_value: str(v.scope_value),
    tag_key: str(v.tag_key),
    limit_usd: limitUsd || undefined,
    limit_tokens: limitTokens || undefined,
    window: (WINDOWS.includes(window) ? window : 'month') as BudgetWindow,
    spent_usd: nonNeg(v.spent_usd) ?? 0,
    spent_tokens: nonNeg(v.spent_tokens) ?? 0,
    window_ends_at: str(v.window_ends_at),
    // A budget without thresholds is a hard limit.
    thresholds: thresholds.length ? thresholds.sort((a, b) => a.percent - b.percent) : [{ percent: 100, action: 'block' }],
  }
}

export function parsePolicy(v: unknown): Policy | undefined {
  if (!isObj(v) || !Array.isArray(v.budgets)) return undefined
  const budgets = v.budgets.map(parseBudget).filter((b): b is PolicyBudget => !!b)
  const interval = nonNeg(v.poll_interval_s)
  return {
    version: str(v.version),
    generated_at: str(v.generated_at),
    poll_interval_s: interval === undefined ? undefined : Math.min(3600, Math.max(5, interval)),
    budgets,
  }
}
