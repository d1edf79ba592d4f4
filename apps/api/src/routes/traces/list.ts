import type { Hono } from 'hono'
import { listTraces } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { encodeCursor, parseTraceQuery } from './schema.js'

export function registerList(app: Hono<AppEnv>): void {
  app.get('/', async (c) => {
    const input = parseTraceQuery(c.req.query(), c.var.caller.projectId)
    const page = await listTraces(c.var.deps.ch, input)
    return c.json({
      traces: page.traces,
      total: page.total,
      total_exact: page.totalExact,
      next_cursor: page.nextAfter ? encodeCursor(input.sort, input.order, page.nextAfter) : null,
    })
  })
}
