import type { ExtraSpend } from '@tollgate/policy'

export { ACTION_RANK, activeThreshold, evaluatePolicy, matches, usagePercent } from '@tollgate/policy'
export type { BudgetHit, CallScope, ExtraSpend, PolicyDecision } from '@tollgate/policy'

/** Spend the SDK saw since the policy was fetched, per budget id, so enforcement does not lag a poll. */
export type LocalSpend = Map<string, ExtraSpend>
