import type { Hono } from 'hono'
import { buildTraceGraph } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { loadTrace } from './schema.js'

export function registerGraph(app: Hono<AppEnv>): void {
  app.get('/:id/graph', async (c) => {
    const { traceId, spans } = await loadTrace(c.var.deps.ch, c.var.caller.projectId, c.req.param('id'))
    return c.json({ trace_id: traceId, ...buildTraceGraph(spans) })
  })
}
