import { createRoute } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { z } from 'zod'
import { costBreakdown, type CostGroup, type CostInput, type CostRow, type CostSource } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { parseAnalyticsQuery, resolveRange, withTagFilters } from '../../lib/analytics-query.js'
import { commonProblems, openApiRoutes, problemResponse } from '../../lib/openapi-route.js'
import { CostByTagQuery, CostDailyQuery, CostQuery, CostResponse, CostTimeseriesQuery } from './schema.js'

const DEFAULT_US = 30 * 86_400_000_000

/** Rows and their total; `X-Tollgate-Source` says whether the rollups or the raw spans answered. */
function respond(c: Context<AppEnv>, result: { rows: CostRow[]; source: CostSource }) {
  c.header('X-Tollgate-Source', result.source)
  const body: CostResponse = { rows: result.rows, total_cost_usd: result.rows.reduce((s, r) => s + r.cost_usd, 0) }
  return c.json(body, 200)
}

const Answer = CostResponse.meta({ id: 'CostResponse' })

/** Every cost route: GET, a query of its own plus `tag.<key>` filters, the same answer shape. */
function costRoute(path: string, summary: string, query: z.ZodObject) {
  return createRoute({
    method: 'get',
    path,
    summary,
    description: "Sums over the caller's deduplicated spans starting in [from, to); default the last 30 days.",
    request: { query: withTagFilters(query) },
    responses: {
      200: {
        description: 'rows and their total',
        headers: {
          'X-Tollgate-Source': {
            description:
              '`rollup` (hourly rollups: whole-hour range and zone offset, no tag filter) or `spans` (deduplicated raw spans)',
            schema: { type: 'string', enum: ['rollup', 'spans'] },
          },
        },
        content: { 'application/json': { schema: Answer } },
      },
      400: problemResponse('invalid parameter (named in detail)'),
      ...commonProblems,
    },
  })
}

export const costRoutes = openApiRoutes()

costRoutes.openapi(
  costRoute('/daily', 'Cost per period (hour, day, week or month in `tz`)', CostDailyQuery),
  async (c) => {
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
  },
)

for (const [path, group, summary] of [
  ['/by-agent', 'agent', 'Cost per agent (id, name)'],
  ['/by-model', 'model', 'Cost per provider and model'],
  ['/by-user', 'user', "Cost per user ('' for spans without one)"],
] as const) {
  costRoutes.openapi(costRoute(path, summary, CostQuery), async (c) => {
    const { query, tags } = parseAnalyticsQuery(CostQuery, c.req.query())
    const range = resolveRange(query.from, query.to, DEFAULT_US, { wholeHours: true })
    return respond(c, await costBreakdown(c.var.deps.ch, { projectId: c.var.caller.projectId, ...range, group, tags }))
  })
}

costRoutes.openapi(
  costRoute('/by-tag', 'Cost per value of the tag `key` (spans without it are not counted)', CostByTagQuery),
  async (c) => {
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
  },
)

costRoutes.openapi(
  costRoute(
    '/timeseries',
    'Cost per period and group (model, agent, user or tag:<key>) for charts',
    CostTimeseriesQuery,
  ),
  async (c) => {
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
  },
)
