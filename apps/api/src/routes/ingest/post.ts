import type { IncomingMessage } from 'node:http'
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { UnavailableError, UnsupportedMediaTypeError, ValidationError, normalizeSpan } from '@tollgate/core'
import { ingestSpans } from '@tollgate/pipeline'
import type { AppEnv } from '../../context.js'
import { parseJson, readBody } from '../../lib/body.js'
import { dropReason } from '../../lib/metrics.js'
import { commonProblems, problemResponse } from '../../lib/openapi-route.js'
import { IngestResponse, splitBody } from './schema.js'

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b|^text\/plain\b/i
/** How long `?consistency=strong` waits for the store before answering 503 (the spans stay durable). */
const STRONG_WAIT_MS = 30_000

const retryAfter = {
  'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' as const } },
}

function ingestRoute(admission: MiddlewareHandler<AppEnv>) {
  return createRoute({
    method: 'post',
    path: '/',
    summary: 'Ingest spans: one span, an array, or { spans }; wire format v1 or agentwatch ATP; gzip accepted',
    // Admission runs before the body is read; the body is read with its limits and parsed by the
    // handler (a span that fails is refused alone, by index), so it is documented here, not validated.
    middleware: [admission] as const,
    request: {
      query: z.object({
        consistency: z
          .enum(['strong'])
          .optional()
          .describe(
            '`strong`: answer once the spans are queryable, not only durable (read-your-writes; 503 if the store does not take them within 30 s)',
          ),
      }),
      body: {
        required: true,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/IngestBody' } } },
      },
    },
    responses: {
      202: {
        description:
          "every accepted span is durable (fdatasync'd to the write-ahead log); refused ones are listed per index",
        content: { 'application/json': { schema: IngestResponse.meta({ id: 'IngestResponse' }) } },
      },
      400: problemResponse('malformed JSON, or every span refused (the list is in `rejected`)'),
      413: problemResponse('body over MAX_BODY_BYTES (after decompression) or more than MAX_SPANS_PER_REQUEST spans'),
      415: problemResponse('not JSON, or an unsupported Content-Encoding'),
      ...commonProblems,
      503: {
        ...problemResponse(
          'overloaded, shutting down, log or backlog full, or the store down too long; nothing was acknowledged',
        ),
        headers: retryAfter,
      },
    },
  })
}

/** Read body → parse the format → the ingest verb → map the result. */
export function registerIngest(app: OpenAPIHono<AppEnv>, admission: MiddlewareHandler<AppEnv>): void {
  app.openapi(ingestRoute(admission), async (c) => {
    const { limits: spanLimits, ingest, logger, metrics } = c.var.deps
    const type = c.req.header('content-type')
    if (type && !JSON_TYPE.test(type))
      throw new UnsupportedMediaTypeError(`Content-Type ${type} is not accepted; send application/json`)

    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
    const { spans: items, client } = splitBody(parseJson(await readBody(c.req.raw, spanLimits.maxBodyBytes, incoming)))
    const result = await ingestSpans(ingest, { projectId: c.var.caller.projectId, items, normalize: normalizeSpan })
    for (const r of result.rejected) metrics.ingestRejected.inc({ reason: r.reason })
    const rejected: IngestResponse['rejected'] = result.rejected.map(({ index, error }) => ({ index, error }))
    if (rejected.length > 0) metrics.ingestSpans.inc({ result: 'rejected' }, rejected.length)
    if (result.accepted === 0 && rejected.length > 0) {
      throw new ValidationError('', `all ${rejected.length} spans were rejected`, { accepted: 0, rejected })
    }
    metrics.ingestSpans.inc({ result: 'accepted' }, result.accepted)
    // What an SDK lost before it could deliver is counted, never silent. Only on a 2xx: the SDK resends
    // its counters until one acknowledges them.
    if (client?.dropped && Object.keys(client.dropped).length > 0) {
      for (const [reason, n] of Object.entries(client.dropped))
        metrics.clientDropped.inc({ reason: dropReason(reason) }, n)
      logger.warn('ingest.client_dropped', {
        request_id: c.var.requestId,
        client: client.name,
        dropped: client.dropped,
      })
    }
    // Read-your-writes on request: wait until the spans are queryable, not only durable.
    if (
      c.req.valid('query').consistency === 'strong' &&
      !(await settlesWithin(result.receipt.stored(), STRONG_WAIT_MS))
    ) {
      throw new UnavailableError('clickhouse (spans are durable, not yet stored)', 5)
    }
    return c.json({ accepted: result.accepted, rejected } satisfies IngestResponse, 202)
  })
}

async function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)))
  const ok = await Promise.race([p.then(() => true as const), timeout])
  clearTimeout(timer)
  return ok
}
