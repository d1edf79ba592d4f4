import type { Hono } from 'hono'
import { z } from 'zod'
import { NotFoundError, ValidationError } from '@tollgate/core'
import { getTraceSpans, type SpanCursor } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { parseTraceId } from './schema.js'

/** `GET /api/traces/:id/spans` parameters: pages of at most 1,000 spans, so no trace is read whole. */
export const TraceSpansQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
  cursor: z.string().max(256).optional(),
})
export type TraceSpansQuery = z.infer<typeof TraceSpansQuery>

const Cursor = z.object({ t: z.number().int(), id: z.string().max(64) })

export const encodeSpanCursor = (c: SpanCursor): string =>
  Buffer.from(JSON.stringify({ t: c.startUs, id: c.spanId })).toString('base64url')

function decodeSpanCursor(cursor: string): SpanCursor {
  try {
    const parsed = Cursor.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
    return { startUs: parsed.t, spanId: parsed.id }
  } catch {
    throw new ValidationError('cursor', 'not a cursor returned by this endpoint')
  }
}

export function registerSpans(app: Hono<AppEnv>): void {
  app.get('/:id/spans', async (c) => {
    const traceId = parseTraceId(c.req.param('id'))
    const parsed = TraceSpansQuery.safeParse(c.req.query())
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new ValidationError(issue?.path.map(String).join('.') ?? '', issue?.message ?? 'invalid query')
    }
    const after = parsed.data.cursor ? decodeSpanCursor(parsed.data.cursor) : undefined
    const page = await getTraceSpans(c.var.deps.ch, c.var.caller.projectId, traceId, {
      limit: parsed.data.limit,
      after,
    })
    // Another project's trace is indistinguishable from a missing one.
    if (page.spans.length === 0 && !after) throw new NotFoundError('trace', traceId)
    return c.json({ trace_id: traceId, spans: page.spans, next_cursor: page.next ? encodeSpanCursor(page.next) : null })
  })
}
