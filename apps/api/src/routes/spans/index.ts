import { createRoute, z } from '@hono/zod-openapi'
import { NotFoundError, ValidationError, normalizeHexId } from '@tollgate/core'
import { findSimilarSpans } from '@tollgate/store'
import { commonProblems, openApiRoutes, problemResponse } from '../../lib/openapi-route.js'

export const SimilarQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  trace_id: z.string().max(64).optional().describe("the span's trace (32 hex digits); span ids are unique per trace"),
})

const SimilarSpan = z.object({
  trace_id: z.string(),
  span_id: z.string(),
  distance: z.number().describe('cosine distance, 0 = same direction'),
  name: z.string(),
  model: z.string(),
  input_preview: z.string().describe('first 200 characters of the prompt'),
})

export const SimilarResponse = z
  .object({
    span_id: z.string(),
    trace_id: z.string(),
    embedding_status: z
      .enum(['pending', 'done', 'failed'])
      .describe('pending: not embedded yet (the list is empty until it is)'),
    similar: z.array(SimilarSpan),
  })
  .meta({ id: 'SimilarSpans' })
export type SimilarResponse = z.infer<typeof SimilarResponse>

const similarRoute = createRoute({
  method: 'get',
  path: '/{id}/similar',
  summary: "The nearest prompts of the caller's project to this span's prompt",
  description:
    'Only sampled spans without PII are embedded (EMBEDDING_SAMPLE_RATE), after their 202. With the built-in ' +
    'embedder, neighbours share wording (near-duplicates, templates); paraphrases need an EMBEDDINGS_URL model.',
  request: { params: z.object({ id: z.string().max(64).describe('16 hex digits') }), query: SimilarQuery },
  responses: {
    200: { description: 'the neighbours, nearest first', content: { 'application/json': { schema: SimilarResponse } } },
    400: problemResponse('malformed id or parameter'),
    404: problemResponse('no embedded span with this id in this project (not sampled, PII found, or unknown)'),
    ...commonProblems,
  },
})

/** `/api/spans`: per-span reads that are not a trace's (similar prompts). */
export const spanRoutes = openApiRoutes().openapi(similarRoute, async (c) => {
  const spanId = normalizeHexId(c.req.valid('param').id, 16)
  if (!spanId) throw new ValidationError('id', 'expected a 16-hex-digit span id')
  const query = c.req.valid('query')
  const traceId = query.trace_id === undefined ? undefined : normalizeHexId(query.trace_id, 32)
  if (traceId === null) throw new ValidationError('trace_id', 'expected a 32-hex-digit trace id')
  const result = await findSimilarSpans(c.var.deps.pg.db, {
    projectId: c.var.caller.projectId,
    spanId,
    traceId,
    limit: query.limit,
  })
  // Another project's span is indistinguishable from a missing one.
  if (!result.found) throw new NotFoundError('span embedding', spanId)
  return c.json(
    { span_id: spanId, trace_id: result.traceId, embedding_status: result.status, similar: result.similar },
    200,
  )
})
