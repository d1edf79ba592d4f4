import type { Hono } from 'hono'
import { NotFoundError } from '@tollgate/core'
import { buildTraceGraph, getTraceSpans } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { parseTraceId } from './schema.js'

export function registerGraph(app: Hono<AppEnv>): void {
  app.get('/:id/graph', async (c) => {
    const traceId = parseTraceId(c.req.param('id'))
    const spans = await getTraceSpans(c.var.deps.ch, c.var.caller.projectId, traceId)
    if (spans.length === 0) throw new NotFoundError('trace', traceId)
    return c.json({ trace_id: traceId, ...buildTraceGraph(spans) })
  })
}
