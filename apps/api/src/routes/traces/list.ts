import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { z } from 'zod'
import { listTraces, TraceSummary } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { withTagFilters } from '../../lib/analytics-query.js'
import { commonProblems, problemResponse } from '../../lib/openapi-route.js'
import { encodeCursor, parseTraceQuery, TraceQuery } from './schema.js'

const TraceList = z
  .object({
    traces: z.array(TraceSummary.meta({ id: 'TraceSummary' })),
    total: z.number().describe('matching traces (see `total`); -1 when not counted'),
    total_exact: z.boolean(),
    next_cursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
  })
  .meta({ id: 'TraceList' })

const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'Trace summaries with filters, sorts, offset or cursor paging',
  request: {
    query: withTagFilters(TraceQuery, 'traces with a span so tagged'),
  },
  responses: {
    200: { description: 'a page of traces', content: { 'application/json': { schema: TraceList } } },
    400: problemResponse('invalid parameter (named in detail)'),
    ...commonProblems,
  },
})

export function registerList(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) => {
    const input = parseTraceQuery(c.req.query(), c.var.caller.projectId)
    const page = await listTraces(c.var.deps.ch, input)
    return c.json(
      {
        traces: page.traces,
        total: page.total,
        total_exact: page.totalExact,
        next_cursor: page.nextAfter ? encodeCursor(input.sort, input.order, page.nextAfter) : null,
      },
      200,
    )
  })
}
