export {
  BudgetScope,
  BudgetWindow,
  MAX_THROTTLE_MS,
  Policy,
  PolicyAction,
  PolicyBudget,
  PolicyThreshold,
  parsePolicy,
} from './schema.js'
export { ACTION_RANK, activeThreshold, evaluatePolicy, matches, usagePercent } from './evaluate.js'
export type { BudgetHit, CallScope, ExtraSpend, PolicyDecision } from './evaluate.js'
