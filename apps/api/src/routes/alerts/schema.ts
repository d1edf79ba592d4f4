import { z } from 'zod'
import { ALERT_ACTIONS, ALERT_CONDITIONS } from '@tollgate/store'
import { Time } from '../../lib/analytics-query.js'

const cooldown = z
  .number()
  .int()
  .min(0)
  .max(31 * 86_400)

const fields = {
  name: z.string().min(1).max(200),
  condition: z.enum(ALERT_CONDITIONS),
  threshold: z.number().finite().min(0),
  window_s: z
    .number()
    .int()
    .min(10)
    .max(31 * 86_400)
    .nullable()
    .optional()
    .describe(
      'look-back window; default per condition (1 h for per-hour rates, 5 min for error rate and latency, 1 min for calls)',
    ),
  agent_id: z.string().min(1).max(256).nullable().optional(),
  model: z.string().min(1).max(256).nullable().optional(),
  tag: z
    .string()
    .regex(/^[^=]{1,128}=.{0,256}$/, 'expected key=value')
    .nullable()
    .optional(),
  action_type: z.enum(ALERT_ACTIONS).default('log'),
  target: z.string().min(1).max(2048).nullable().optional().describe('webhook/slack: URL; email: address'),
  cooldown_s: cooldown.default(300),
  enabled: z.boolean().default(true),
}

/** webhook and slack actions need an http(s) target (checked on create and on the result of a patch). */
export const needsTarget = (r: { action_type?: string | undefined; target?: string | null | undefined }) =>
  r.action_type === undefined ||
  r.action_type === 'log' ||
  r.action_type === 'email' ||
  (r.target != null && /^https?:\/\//.test(r.target))

export const CreateAlertBody = z
  .strictObject(fields)
  .refine(needsTarget, { message: 'webhook and slack actions need an http(s) target', path: ['target'] })
export type CreateAlertBody = z.infer<typeof CreateAlertBody>

export const PatchAlertBody = z.strictObject({
  name: fields.name.optional(),
  condition: fields.condition.optional(),
  threshold: fields.threshold.optional(),
  window_s: fields.window_s,
  agent_id: fields.agent_id,
  model: fields.model,
  tag: fields.tag,
  action_type: z.enum(ALERT_ACTIONS).optional(),
  target: fields.target,
  // Not fields.cooldown_s.optional(): zod 4 applies an inner .default() to an absent key, and a PATCH
  // that does not name cooldown_s must leave it as it is.
  cooldown_s: cooldown.optional(),
  enabled: z.boolean().optional(),
})
export type PatchAlertBody = z.infer<typeof PatchAlertBody>

export const AlertRuleView = z.object({
  id: z.string(),
  name: z.string(),
  condition: z.enum(ALERT_CONDITIONS),
  threshold: z.number(),
  window_s: z.number(),
  agent_id: z.string().nullable(),
  model: z.string().nullable(),
  tag: z.string().nullable(),
  action_type: z.enum(ALERT_ACTIONS),
  target: z.string().nullable(),
  cooldown_s: z.number(),
  enabled: z.boolean(),
  state: z.enum(['ok', 'firing']),
  last_fired_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
})

export const AlertEventView = z.object({
  id: z.number(),
  kind: z.enum(['fired', 'resolved', 'sdk']),
  rule_id: z.string().nullable(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  window_s: z.number().nullable(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).nullable(),
  notification: z.enum(['pending', 'sent', 'failed', 'skipped']),
  notification_attempts: z.number(),
  notification_error: z.string().nullable(),
  created_at: z.string(),
})

export const AlertHistoryQuery = z.strictObject({
  from: Time.optional(),
  to: Time.optional(),
  rule_id: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
})

/** What the SDK posts (packages/sdk/README.md); unknown fields are kept in `details`. */
export const SdkAlertBody = z.looseObject({
  scope: z.string().min(1).max(64),
  scope_id: z.string().max(256).optional(),
  reason: z.string().min(1).max(256),
  message: z.string().max(2000).optional(),
  threshold: z.number().finite().optional(),
  current: z.number().finite().optional(),
  blocked: z.boolean().optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
})
