import type { Hono } from 'hono'
import { NotFoundError, buildTraceGraph } from '@tollgate/core'
import { getTraceSpans } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { parseTraceId } from './schema.js'

/** The graph covers a trace's first spans in start order up to this bound (a page of /spans is 1,000). */
export const GRAPH_MAX_SPANS = 10_000

export function registerGraph(app: Hono<AppEnv>): void {
  app.get('/:id/graph', async (c) => {
    const traceId = parseTraceId(c.req.param('id'))
    const { spans } = await getTraceSpans(c.var.deps.ch, c.var.caller.projectId, traceId, { limit: GRAPH_MAX_SPANS })
    if (spans.length === 0) throw new NotFoundError('trace', traceId)
    return c.json({ trace_id: traceId, ...buildTraceGraph(spans) })
  })
}
