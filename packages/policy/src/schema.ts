import { z } from 'zod'

/**
 * The budget policy an SDK enforces: the body of `GET /api/policy`. One definition for the
 * server that serves it and the SDKs that read it; snake_case as on the wire.
 */
export const BudgetScope = z.enum(['global', 'agent', 'tenant', 'customer', 'feature', 'tag'])
export type BudgetScope = z.infer<typeof BudgetScope>

/** The SDK does not compute windows: the server sends the spend of the current one and when it ends. */
export const BudgetWindow = z.enum(['hour', 'day', 'month', 'rolling', 'rolling_1h', 'rolling_24h'])
export type BudgetWindow = z.infer<typeof BudgetWindow>

export const PolicyAction = z.enum(['allow', 'alert', 'degrade', 'throttle', 'block'])
export type PolicyAction = z.infer<typeof PolicyAction>

/** A throttle never holds a request longer than this. */
export const MAX_THROTTLE_MS = 60_000

export const PolicyThreshold = z
  .object({
    /** Percent of the limit (spent / limit × 100) from which the action applies. */
    percent: z.number().finite().nonnegative(),
    action: PolicyAction,
    /** For `degrade`: the model the request is rewritten to. */
    degrade_to_model: z.string().min(1).optional(),
    /** For `throttle`: how long the request is held before it is sent (capped at 60 s). */
    throttle_ms: z
      .number()
      .finite()
      .nonnegative()
      .transform((ms) => Math.min(ms, MAX_THROTTLE_MS))
      .optional(),
  })
  .refine((t) => t.action !== 'degrade' || t.degrade_to_model !== undefined, {
    message: 'degrade needs degrade_to_model',
    path: ['degrade_to_model'],
  })
export type PolicyThreshold = z.infer<typeof PolicyThreshold>

const positive = z.number().finite().positive()
const nonNegative = z.number().finite().nonnegative()

export const PolicyBudget = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1).optional().catch(undefined),
    scope: BudgetScope.default('global'),
    /** agent: agent id or name; tenant/customer/feature: the tag value; tag: the value of `tag_key`. */
    scope_value: z.string().min(1).optional(),
    tag_key: z.string().min(1).optional(),
    // null, 0 or junk read as "no limit of this kind" (the README's example sends null).
    limit_usd: positive.optional().catch(undefined),
    limit_tokens: positive.optional().catch(undefined),
    window: BudgetWindow.catch('month'),
    /** Spend of this scope in the current window, as the server knows it. */
    spent_usd: nonNegative.catch(0),
    spent_tokens: nonNegative.catch(0),
    /** When the current window ends; after it the SDK counts the spend as zero until the next poll. */
    window_ends_at: z.string().min(1).optional().catch(undefined),
    /** Sorted by percent; a budget without thresholds blocks at 100 %. */
    thresholds: z.array(PolicyThreshold),
  })
  .refine((b) => b.limit_usd !== undefined || b.limit_tokens !== undefined, {
    message: 'a budget needs limit_usd or limit_tokens',
  })
  .refine((b) => b.scope === 'global' || b.scope_value !== undefined, {
    message: 'scope_value is required',
    path: ['scope_value'],
  })
  .refine((b) => b.scope !== 'tag' || b.tag_key !== undefined, {
    message: 'tag_key is required for scope tag',
    path: ['tag_key'],
  })
export type PolicyBudget = z.infer<typeof PolicyBudget>

export const Policy = z.object({
  version: z.string().min(1).optional().catch(undefined),
  generated_at: z.string().min(1).optional().catch(undefined),
  /** The server may ask for another poll interval (bounded 5 s to 1 h). */
  poll_interval_s: z
    .number()
    .finite()
    .nonnegative()
    .transform((s) => Math.min(3600, Math.max(5, s)))
    .optional()
    .catch(undefined),
  budgets: z.array(PolicyBudget),
})
export type Policy = z.infer<typeof Policy>

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Reads a policy leniently, as an SDK must: an invalid budget or threshold is skipped, never
 * fatal (a newer server may send what this version does not know). Undefined only when the
 * document itself is not a policy. The server validates strictly with {@link Policy}.
 */
export function parsePolicy(input: unknown): Policy | undefined {
  if (!isObj(input) || !Array.isArray(input.budgets)) return undefined
  const budgets: PolicyBudget[] = []
  for (const raw of input.budgets as unknown[]) {
    if (!isObj(raw)) continue
    const thresholds = (Array.isArray(raw.thresholds) ? (raw.thresholds as unknown[]) : [])
      .map((t) => PolicyThreshold.safeParse(t))
      .flatMap((r) => (r.success ? [r.data] : []))
      .sort((a, b) => a.percent - b.percent)
    const parsed = PolicyBudget.safeParse({
      ...raw,
      thresholds: thresholds.length ? thresholds : [{ percent: 100, action: 'block' }],
    })
    if (parsed.success) budgets.push(parsed.data)
  }
  const head = Policy.omit({ budgets: true }).safeParse({
    version: input.version,
    generated_at: input.generated_at,
    poll_interval_s: input.poll_interval_s,
  })
  return { ...(head.success ? head.data : {}), budgets }
}
