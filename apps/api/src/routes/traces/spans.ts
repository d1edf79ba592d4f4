import type { Hono } from 'hono'
import type { AppEnv } from '../../context.js'
import { loadTrace } from './schema.js'

export function registerSpans(app: Hono<AppEnv>): void {
  app.get('/:id/spans', async (c) => {
    const { traceId, spans } = await loadTrace(c.var.deps.ch, c.var.caller.projectId, c.req.param('id'))
    return c.json({ trace_id: traceId, spans })
  })
}
