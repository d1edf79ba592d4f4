/**
 * The server budget policy (`GET /api/policy`): defined once in `@tollgate/policy`, shared with
 * the server, bundled with this package. Parsed leniently: an invalid budget is skipped.
 */
export { parsePolicy } from '@tollgate/policy'
export type { BudgetScope, BudgetWindow, Policy, PolicyAction, PolicyBudget, PolicyThreshold } from '@tollgate/policy'
