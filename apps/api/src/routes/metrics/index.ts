import { Hono } from 'hono'
import { getMetrics } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { parseAnalyticsQuery, resolveRange } from '../../lib/analytics-query.js'
import { MetricsQuery } from './schema.js'

const DAY_US = 86_400_000_000

export const metricsRoutes = new Hono<AppEnv>()

metricsRoutes.get('/', async (c) => {
  const { query, tags } = parseAnalyticsQuery(MetricsQuery, c.req.query())
  const range = resolveRange(query.from, query.to, DAY_US)
  return c.json(
    await getMetrics(c.var.deps.ch, {
      projectId: c.var.caller.projectId,
      ...range,
      model: query.model,
      agentId: query.agent_id,
      tags,
    }),
  )
})
