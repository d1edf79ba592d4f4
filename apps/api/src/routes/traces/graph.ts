import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { z } from 'zod'
import { NotFoundError, TraceGraph, buildTraceGraph } from '@tollgate/core'
import { getTraceSpans } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { commonProblems, problemResponse } from '../../lib/openapi-route.js'
import { parseTraceId, TraceIdParam } from './schema.js'

/** The graph covers a trace's first spans in start order up to this bound (a page of /spans is 1,000). */
export const GRAPH_MAX_SPANS = 10_000

const graphRoute = createRoute({
  method: 'get',
  path: '/{id}/graph',
  summary: 'Nodes and parent→child / agent hand-off edges of a trace',
  request: { params: TraceIdParam },
  responses: {
    200: {
      description: 'the graph',
      content: {
        'application/json': { schema: TraceGraph.extend({ trace_id: z.string() }).meta({ id: 'TraceGraph' }) },
      },
    },
    400: problemResponse('malformed id'),
    404: problemResponse('no such trace in this project'),
    ...commonProblems,
  },
})

export function registerGraph(app: OpenAPIHono<AppEnv>): void {
  app.openapi(graphRoute, async (c) => {
    const traceId = parseTraceId(c.req.param('id'))
    const { spans } = await getTraceSpans(c.var.deps.ch, c.var.caller.projectId, traceId, { limit: GRAPH_MAX_SPANS })
    if (spans.length === 0) throw new NotFoundError('trace', traceId)
    return c.json({ trace_id: traceId, ...buildTraceGraph(spans) }, 200)
  })
}
