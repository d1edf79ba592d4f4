import { z } from 'zod'
import { CostRow } from '@tollgate/store'
import { Time, TimeZone } from '../../lib/analytics-query.js'

const range = {
  from: Time.optional().describe('RFC 3339; default 30 days before `to`'),
  to: Time.optional().describe('RFC 3339, exclusive; default now'),
}

/** by-agent, by-model, by-user. */
export const CostQuery = z.strictObject(range)
export type CostQuery = z.infer<typeof CostQuery>

export const CostDailyQuery = z.strictObject({
  ...range,
  tz: TimeZone.optional().describe('IANA zone the periods are cut in; default UTC'),
  granularity: z.enum(['hour', 'day', 'week', 'month']).default('day'),
  group: z.enum(['hour', 'day', 'week', 'month']).optional().describe('alias of granularity'),
})
export type CostDailyQuery = z.infer<typeof CostDailyQuery>

export const CostByTagQuery = z.strictObject({
  ...range,
  key: z.string().min(1).max(128).describe('the tag key whose values are the rows'),
})
export type CostByTagQuery = z.infer<typeof CostByTagQuery>

export const CostTimeseriesQuery = z.strictObject({
  ...range,
  tz: TimeZone.optional(),
  granularity: z.enum(['hour', 'day']).default('day'),
  group: z
    .string()
    .regex(/^(model|agent|user|tag:.{1,128})$/, 'expected model, agent, user or tag:<key>')
    .default('model'),
})
export type CostTimeseriesQuery = z.infer<typeof CostTimeseriesQuery>

export const CostResponse = z.object({ rows: z.array(CostRow), total_cost_usd: z.number() })
export type CostResponse = z.infer<typeof CostResponse>
