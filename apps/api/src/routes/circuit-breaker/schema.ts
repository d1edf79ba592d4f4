import { z } from 'zod'

/** What the SDK posts on each breaker transition (packages/sdk/README.md); unknown fields are ignored. */
export const CircuitTransitionBody = z.object({
  scope: z.string().min(1).max(64),
  scope_id: z.string().max(256).default(''),
  name: z.string().max(256).optional(),
  event: z
    .string()
    .min(1)
    .max(64)
    .describe('triggered | paused | half_open | recovered | retrip | budget_increased | reset'),
  from: z.string().min(1).max(32),
  to: z.string().min(1).max(32),
  reason: z.string().max(1000).optional(),
  timestamp: z
    .union([z.string(), z.number()])
    .optional()
    .describe('when the SDK made the transition (RFC 3339 or epoch ms); default now'),
  snapshot: z.record(z.string(), z.unknown()).default({}),
  sdk: z.record(z.string(), z.unknown()).optional(),
  process_id: z.string().min(1).max(256).optional().describe('which SDK process; default the credential'),
})
export type CircuitTransitionBody = z.infer<typeof CircuitTransitionBody>

export const CircuitStatus = z.object({
  breakers: z.array(
    z.object({
      scope: z.string(),
      scope_id: z.string(),
      process_id: z.string(),
      name: z.string().nullable(),
      state: z.string(),
      event: z.string(),
      reason: z.string().nullable(),
      reported_at: z.string(),
      received_at: z.string(),
    }),
  ),
  open: z.number().describe('breakers that some process holds in a state other than CLOSED'),
})
