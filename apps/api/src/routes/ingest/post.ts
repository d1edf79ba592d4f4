import type { IncomingMessage } from 'node:http'
import type { Hono } from 'hono'
import { UnavailableError, UnsupportedMediaTypeError, ValidationError, normalizeSpan } from '@tollgate/core'
import { ingestSpans } from '@tollgate/pipeline'
import type { AppEnv } from '../../context.js'
import { parseJson, readBody } from '../../lib/body.js'
import { dropReason } from '../../lib/metrics.js'
import { admission } from '../../middleware/admission.js'
import { splitBody, type IngestResponse } from './schema.js'

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b|^text\/plain\b/i
/** How long `?consistency=strong` waits for the store before answering 503 (the spans stay durable). */
const STRONG_WAIT_MS = 30_000

/** Read body → parse the format → the ingest verb → map the result. */
export function registerIngest(
  app: Hono<AppEnv>,
  limits: { maxRequests: number; maxBytes: number; maxBodyBytes: number },
): void {
  app.post('/', admission(limits), async (c) => {
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
    if (c.req.query('consistency') === 'strong' && !(await settlesWithin(result.receipt.stored(), STRONG_WAIT_MS))) {
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
