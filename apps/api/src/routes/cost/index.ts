import { Hono, type Context } from 'hono'
import { costBreakdown, type CostGroup, type CostInput, type CostRow, type CostSource } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { parseAnalyticsQuery, resolveRange } from '../../lib/analytics-query.js'
import { CostByTagQuery, CostDailyQuery, CostQuery, CostTimeseriesQuery, type CostResponse } from './schema.js'

const DEFAULT_US = 30 * 86_400_000_000

/** Rows and their total; `X-Tollgate-Source` says whether the rollups or the raw spans answered. */
function respond(c: Context<AppEnv>, result: { rows: CostRow[]; source: CostSource }): Response {
  c.header('X-Tollgate-Source', result.source)
  const body: CostResponse = { rows: result.rows, total_cost_usd: result.rows.reduce((s, r) => s + r.cost_usd, 0) }
  return c.json(body)
}

export const costRoutes = new Hono<AppEnv>()

costRoutes.get('/daily', async (c) => {
  const { query, tags } = parseAnalyticsQuery(CostDailyQuery, c.req.query())
  const range = resolveRange(query.from, query.to, DEFAULT_US, { wholeHours: true })
  const input: CostInput = {
    projectId: c.var.caller.projectId,
    ...range,
    granularity: query.group ?? query.granularity,
    tz: query.tz,
    tags,
  }
  return respond(c, await costBreakdown(c.var.deps.ch, input))
})

for (const [path, group] of [
  ['/by-agent', 'agent'],
  ['/by-model', 'model'],
  ['/by-user', 'user'],
] as const) {
  costRoutes.get(path, async (c) => {
    const { query, tags } = parseAnalyticsQuery(CostQuery, c.req.query())
    const range = resolveRange(query.from, query.to, DEFAULT_US, { wholeHours: true })
    return respond(c, await costBreakdown(c.var.deps.ch, { projectId: c.var.caller.projectId, ...range, group, tags }))
  })
}

costRoutes.get('/by-tag', async (c) => {
  const { query, tags } = parseAnalyticsQuery(CostByTagQuery, c.req.query())
  const range = resolveRange(query.from, query.to, DEFAULT_US, { wholeHours: true })
  return respond(
    c,
    await costBreakdown(c.var.deps.ch, {
      projectId: c.var.caller.projectId,
      ...range,
      group: 'tag',
      tagKey: query.key,
      tags,
    }),
  )
})

costRoutes.get('/timeseries', async (c) => {
  const { query, tags } = parseAnalyticsQuery(CostTimeseriesQuery, c.req.query())
  const range = resolveRange(query.from, query.to, DEFAULT_US, { wholeHours: true })
  const [name, tagKey] = query.group.startsWith('tag:') ? ['tag', query.group.slice(4)] : [query.group, undefined]
  const input: CostInput = {
    projectId: c.var.caller.projectId,
    ...range,
    granularity: query.granularity,
    tz: query.tz,
    group: name as CostGroup,
    tagKey,
    tags,
  }
  return respond(c, await costBreakdown(c.var.deps.ch, input))
})
