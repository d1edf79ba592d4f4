import type { z } from 'zod'
import { CostByTagQuery, CostDailyQuery, CostQuery, CostResponse, CostTimeseriesQuery } from './routes/cost/schema.js'

type ToSchema = (s: z.ZodType, io?: 'input' | 'output') => Record<string, unknown>
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
})

export function analyticsSchemas(schema: ToSchema): Record<string, unknown> {
  return { CostResponse: schema(CostResponse) }
}

/** Query parameters from a zod object, plus `tag.{key}` filters. */
function parameters(schema: ToSchema, q: z.ZodObject): Array<Record<string, unknown>> {
  const params: Array<Record<string, unknown>> = Object.entries(q.shape).map(([name, s]) => ({
    name,
    in: 'query',
    required: name === 'key',
    schema: schema(s as z.ZodType, 'input'),
  }))
  params.push({
    name: 'tag.{key}',
    in: 'query',
    required: false,
    description: 'only spans tagged key=value (repeatable)',
    schema: { type: 'string' },
  })
  return params
}

/** Analytics: sums over the caller's deduplicated spans starting in [from, to). */
export function analyticsPaths(schema: ToSchema, security: unknown[]): Record<string, unknown> {
  const errors = { '400': problem('invalid parameter (named in detail)'), '401': problem('unauthorized') }
  const cost = (summary: string, q: z.ZodObject) => ({
    get: {
      summary,
      security,
      parameters: parameters(schema, q),
      responses: {
        '200': {
          description: 'rows and their total',
          headers: {
            'X-Tollgate-Source': {
              description:
                '`rollup` (hourly rollups: whole-hour range and zone offset, no tag filter) or `spans` (deduplicated raw spans)',
              schema: { type: 'string', enum: ['rollup', 'spans'] },
            },
          },
          content: { 'application/json': { schema: ref('CostResponse') } },
        },
        ...errors,
      },
    },
  })
  return {
    '/api/cost/daily': cost(
      'Cost per period (hour, day, week or month in `tz`; default the last 30 days)',
      CostDailyQuery,
    ),
    '/api/cost/by-agent': cost('Cost per agent (id, name)', CostQuery),
    '/api/cost/by-model': cost('Cost per provider and model', CostQuery),
    '/api/cost/by-user': cost("Cost per user ('' for spans without one)", CostQuery),
    '/api/cost/by-tag': cost('Cost per value of the tag `key` (spans without it are not counted)', CostByTagQuery),
    '/api/cost/timeseries': cost(
      'Cost per period and group (model, agent, user or tag:<key>) for charts',
      CostTimeseriesQuery,
    ),
  }
}
