import { createRoute } from '@hono/zod-openapi'
import { getMetrics, Metrics } from '@tollgate/store'
import { parseAnalyticsQuery, resolveRange, withTagFilters } from '../../lib/analytics-query.js'
import { commonProblems, openApiRoutes, problemResponse } from '../../lib/openapi-route.js'
import { MetricsQuery } from './schema.js'

const DAY_US = 86_400_000_000

const getMetricsRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'Traces, spans, tokens, cost, error rate and exact latency/TTFT percentiles over a window',
  description: 'Default window: the last 24 h.',
  request: { query: withTagFilters(MetricsQuery) },
  responses: {
    200: { description: 'the metrics', content: { 'application/json': { schema: Metrics.meta({ id: 'Metrics' }) } } },
    400: problemResponse('invalid parameter (named in detail)'),
    ...commonProblems,
  },
})

export const metricsRoutes = openApiRoutes().openapi(getMetricsRoute, async (c) => {
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
    200,
  )
})
