import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { z } from 'zod'
import { NotFoundError, ValidationError } from '@tollgate/core'
import { getTraceSpans, SpanView, type SpanCursor } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { commonProblems, problemResponse } from '../../lib/openapi-route.js'
import { parseTraceId, TraceIdParam } from './schema.js'

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

const TraceSpans = z
  .object({
    trace_id: z.string(),
    spans: z.array(SpanView.meta({ id: 'SpanView' })),
    next_cursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
  })
  .meta({ id: 'TraceSpans' })

const spansRoute = createRoute({
  method: 'get',
  path: '/{id}/spans',
  summary: "A trace's spans in start order, at most `limit` (≤ 1,000) per page; `next_cursor` continues",
  request: { params: TraceIdParam, query: TraceSpansQuery },
  responses: {
    200: { description: 'the spans', content: { 'application/json': { schema: TraceSpans } } },
    400: problemResponse('malformed id or parameter'),
    404: problemResponse('no such trace in this project'),
    ...commonProblems,
  },
})

export function registerSpans(app: OpenAPIHono<AppEnv>): void {
  app.openapi(spansRoute, async (c) => {
    const traceId = parseTraceId(c.req.param('id'))
    const query = c.req.valid('query')
    const after = query.cursor ? decodeSpanCursor(query.cursor) : undefined
    const page = await getTraceSpans(c.var.deps.ch, c.var.caller.projectId, traceId, { limit: query.limit, after })
    // Another project's trace is indistinguishable from a missing one.
    if (page.spans.length === 0 && !after) throw new NotFoundError('trace', traceId)
    return c.json(
      { trace_id: traceId, spans: page.spans, next_cursor: page.next ? encodeSpanCursor(page.next) : null },
      200,
    )
  })
}
