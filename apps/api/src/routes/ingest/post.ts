import type { Hono } from 'hono'
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, normalizeSpan, type Span } from '@tollgate/core'
import type { AppEnv } from '../../context.js'
import { parseJson, readBody } from '../../lib/body.js'
import { dropReason } from '../../lib/metrics.js'
import { splitBody, type IngestResponse } from './schema.js'

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b|^text\/plain\b/i

export function registerIngest(app: Hono<AppEnv>): void {
  app.post('/', async (c) => {
    const { limits, transport, logger, metrics } = c.var.deps
    const type = c.req.header('content-type')
    if (type && !JSON_TYPE.test(type)) throw new UnsupportedMediaTypeError(`Content-Type ${type} is not accepted; send application/json`)

    const { spans: raw, client } = splitBody(parseJson(await readBody(c.req.raw, limits.maxBodyBytes)))
    if (raw.length > limits.maxSpansPerRequest) throw new PayloadTooLargeError(limits.maxSpansPerRequest, 'spans')

    const accepted: Span[] = []
    const rejected: IngestResponse['rejected'] = []
    raw.forEach((item, index) => {
      const result = normalizeSpan(item, limits)
      if (result.ok) accepted.push(result.span)
      else rejected.push({ index, error: result.error })
    })
    if (accepted.length === 0 && rejected.length > 0) {
      metrics.ingestSpans.inc({ result: 'rejected' }, rejected.length)
      throw new ValidationError('', `all ${rejected.length} spans were rejected`, { accepted: 0, rejected })
    }
    // Resolves only once the spans are durable; rejects with UnavailableError (→ 503) otherwise.
    await transport.submit({ projectId: c.var.caller.projectId, spans: accepted })
    metrics.ingestSpans.inc({ result: 'accepted' }, accepted.length)
    if (rejected.length > 0) metrics.ingestSpans.inc({ result: 'rejected' }, rejected.length)
    // What an SDK lost before it could deliver is counted, never silent (RELIABILITY G2). Only on a
    // 2xx: the SDK resends its counters until one acknowledges them.
    if (client?.dropped && Object.keys(client.dropped).length > 0) {
      for (const [reason, n] of Object.entries(client.dropped)) metrics.clientDropped.inc({ reason: dropReason(reason) }, n)
      logger.warn('ingest.client_dropped', { request_id: c.var.requestId, client: client.name, dropped: client.dropped })
    }
    return c.json({ accepted: accepted.length, rejected } satisfies IngestResponse, 202)
  })
}
