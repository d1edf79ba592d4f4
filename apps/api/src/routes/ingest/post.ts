import type { Hono } from 'hono'
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, normalizeSpan, type Span } from '@tollgate/core'
import type { AppEnv } from '../../context.js'
import { parseJson, readBody } from '../../lib/body.js'
import { splitBody, type IngestResponse } from './schema.js'

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b|^text\/plain\b/i

export function registerIngest(app: Hono<AppEnv>): void {
  app.post('/', async (c) => {
    const { limits, transport, logger } = c.var.deps
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
    if (client?.dropped && Object.keys(client.dropped).length > 0) {
      logger.warn('ingest.client_dropped', { request_id: c.var.requestId, client: client.name, dropped: client.dropped })
    }
    if (accepted.length === 0 && rejected.length > 0) {
      throw new ValidationError('', `all ${rejected.length} spans were rejected`, { accepted: 0, rejected })
    }
    // Resolves only once the spans are durable; rejects with UnavailableError (→ 503) otherwise.
    await transport.submit({ projectId: c.var.caller.projectId, spans: accepted })
    return c.json({ accepted: accepted.length, rejected } satisfies IngestResponse, 202)
  })
}
