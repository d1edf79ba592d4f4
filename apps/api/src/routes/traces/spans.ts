import type { Hono } from 'hono'
import { NotFoundError } from '@tollgate/core'
import { getTraceSpans } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { parseTraceId } from './schema.js'

export function registerSpans(app: Hono<AppEnv>): void {
  app.get('/:id/spans', async (c) => {
    const traceId = parseTraceId(c.req.param('id'))
    const spans = await getTraceSpans(c.var.deps.ch, c.var.caller.projectId, traceId)
    // Another project's trace is indistinguishable from a missing one.
    if (spans.length === 0) throw new NotFoundError('trace', traceId)
    return c.json({ trace_id: traceId, spans })
  })
}
