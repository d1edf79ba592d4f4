import { z } from 'zod'
import { ValidationError } from '@tollgate/core'
import { BudgetScope, BudgetWindow, MAX_THROTTLE_MS, PolicyAction } from '@tollgate/policy'
import type { BudgetInput } from '@tollgate/store'

const Threshold = z
  .strictObject({
    percent: z.number().finite().min(0).max(10_000),
    action: PolicyAction,
    degrade_to_model: z.string().min(1).max(256).optional(),
    degrade_to: z.string().min(1).max(256).optional().describe('alias of degrade_to_model'),
    throttle_ms: z.number().int().min(0).max(MAX_THROTTLE_MS).optional(),
    delay_ms: z.number().int().min(0).max(MAX_THROTTLE_MS).optional().describe('alias of throttle_ms'),
  })
  .refine((t) => t.action !== 'degrade' || (t.degrade_to_model ?? t.degrade_to) !== undefined, {
    message: 'degrade needs degrade_to_model',
    path: ['degrade_to_model'],
  })
  .refine((t) => t.action !== 'throttle' || (t.throttle_ms ?? t.delay_ms) !== undefined, {
    message: 'throttle needs throttle_ms',
    path: ['throttle_ms'],
  })

const fields = {
  name: z.string().min(1).max(200),
  scope: BudgetScope.default('global'),
  scope_value: z
    .string()
    .min(1)
    .max(256)
    .nullable()
    .optional()
    .describe('agent id or name; tenant/customer/feature: the tag value; tag: the value of tag_key'),
  tag_key: z.string().min(1).max(128).nullable().optional().describe('for scope tag'),
  limit_usd: z.number().finite().positive().nullable().optional(),
  limit_tokens: z.number().int().positive().nullable().optional(),
  window: BudgetWindow.default('month'),
  thresholds: z
    .array(Threshold)
    .max(20)
    .default([])
    .describe('percent of the limit → action; limit_action applies at 100 % unless a threshold there says otherwise'),
  limit_action: z.enum(['block', 'alert']).default('block'),
  enabled: z.boolean().default(true),
}

export const CreateBudgetBody = z.strictObject(fields)
export type CreateBudgetBody = z.infer<typeof CreateBudgetBody>

export const PatchBudgetBody = z.strictObject({
  name: fields.name.optional(),
  scope: BudgetScope.optional(),
  scope_value: fields.scope_value,
  tag_key: fields.tag_key,
  limit_usd: fields.limit_usd,
  limit_tokens: fields.limit_tokens,
  window: BudgetWindow.optional(),
  thresholds: z.array(Threshold).max(20).optional(),
  limit_action: z.enum(['block', 'alert']).optional(),
  enabled: z.boolean().optional(),
})
export type PatchBudgetBody = z.infer<typeof PatchBudgetBody>

/** The rules that span fields, checked on a new budget and on the result of a patch. */
export function checkBudget(b: BudgetInput): void {
  if (b.limit_usd == null && b.limit_tokens == null)
    throw new ValidationError('limit_usd', 'a budget needs limit_usd or limit_tokens')
  if (b.scope !== 'global' && b.scope_value == null)
    throw new ValidationError('scope_value', `scope ${b.scope} needs scope_value`)
  if (b.scope === 'tag' && b.tag_key == null) throw new ValidationError('tag_key', 'scope tag needs tag_key')
}

const StoredThreshold = z.object({
  percent: z.number(),
  action: PolicyAction,
  degrade_to_model: z.string().optional(),
  throttle_ms: z.number().optional(),
})

export const BudgetView = z.object({
  id: z.string(),
  name: z.string(),
  scope: BudgetScope,
  scope_value: z.string().nullable(),
  tag_key: z.string().nullable(),
  limit_usd: z.number().nullable(),
  limit_tokens: z.number().nullable(),
  window: BudgetWindow,
  thresholds: z.array(StoredThreshold),
  limit_action: z.enum(['block', 'alert']),
  enabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
})
