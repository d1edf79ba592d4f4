import type { IncomingMessage } from 'node:http'
import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { publishedJwks, verifyWithPublishedKeys, VerifyResult } from '@tollgate/reports'
import { ValidationError } from '@tollgate/core'
import { readBody } from '../../lib/body.js'
import { commonProblems, openApiRoutes, problemResponse } from '../../lib/openapi-route.js'
import { Pdf } from '../compliance/index.js'
import { registerMonthly } from './monthly.js'
import { signingKeyOf } from './signer.js'

const Jwks = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .meta({ id: 'Jwks', description: 'RFC 7517 key set: every key that has signed reports, current and retired' })

const keysRoute = createRoute({
  method: 'get',
  path: '/keys',
  summary: 'Public keys of every report signing key, current and retired (JWKS)',
  description: 'Served without credentials: anyone holding a report may check it (docs/compliance.md).',
  security: [],
  responses: {
    200: { description: 'the key set', content: { 'application/json': { schema: Jwks } } },
    503: commonProblems[503],
  },
})

const verifyRoute = createRoute({
  method: 'post',
  path: '/verify',
  summary: "Checks a report's bytes against its detached JWS with the published keys",
  description: '`valid: false` for any changed byte, a signature of another report, or an unknown key.',
  request: {
    headers: z.object({ 'x-signature': z.string().max(4096).describe('the X-Signature the report came with') }),
    body: { content: { 'application/pdf': { schema: Pdf } }, required: true },
  },
  responses: {
    200: {
      description: 'the verdict',
      content: { 'application/json': { schema: VerifyResult.meta({ id: 'ReportVerification' }) } },
    },
    400: problemResponse('no X-Signature, or an empty body'),
    413: problemResponse('body larger than MAX_BODY_BYTES'),
    ...commonProblems,
  },
})

export const reportRoutes = openApiRoutes()

reportRoutes.openapi(keysRoute, async (c) => {
  // The current key is published before the set is read, so a fresh server lists it.
  await signingKeyOf(c.var.deps)
  c.header('Cache-Control', 'public, max-age=300')
  return c.json(await publishedJwks(c.var.deps.pg.db), 200)
})

reportRoutes.openapi(verifyRoute, async (c) => {
  const signature = c.req.valid('header')['x-signature']
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  const pdf = await readBody(c.req.raw, c.var.deps.env.MAX_BODY_BYTES, incoming)
  if (pdf.length === 0) throw new ValidationError('body', 'the report bytes are missing')
  return c.json(await verifyWithPublishedKeys(c.var.deps.pg.db, new Uint8Array(pdf), signature), 200)
})

registerMonthly(reportRoutes)
