import { z } from 'zod'
import { Time } from '../../lib/analytics-query.js'

export const MetricsQuery = z.strictObject({
  from: Time.optional().describe('RFC 3339; default 24 h before `to`'),
  to: Time.optional().describe('RFC 3339, exclusive; default now'),
  model: z.string().min(1).max(256).optional(),
  agent_id: z.string().min(1).max(256).optional(),
})
export type MetricsQuery = z.infer<typeof MetricsQuery>
