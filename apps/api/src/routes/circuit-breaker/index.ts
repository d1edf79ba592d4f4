import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { ValidationError, toEpochMicros } from '@tollgate/core'
import { circuitStatus, reportTransition } from '@tollgate/store'
import {
  commonProblems,
  jsonResponse,
  openApiRoutes,
  parsedJsonBody,
  problemResponse,
} from '../../lib/openapi-route.js'
import { parseJsonBody } from '../projects/schema.js'
import { CircuitStatus, CircuitTransitionBody } from './schema.js'
import { recordAudit } from '../audit/record.js'

export const circuitBreakerRoutes = openApiRoutes()

/** `POST /api/circuit-breaker/state`: a transition an SDK reports; audited append-only. */
circuitBreakerRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/state',
    summary: 'A breaker transition an SDK reports; appended to the audit table',
    request: { body: parsedJsonBody(circuitBreakerRoutes, 'CircuitTransition', CircuitTransitionBody) },
    responses: {
      201: jsonResponse('stored', z.object({ id: z.number() })),
      400: problemResponse('invalid body'),
      ...commonProblems,
    },
  }),
  async (c) => {
    const { caller, deps } = c.var
    const body = await parseJsonBody(c, CircuitTransitionBody)
    const us = body.timestamp === undefined ? Date.now() * 1000 : toEpochMicros(body.timestamp)
    if (us === null) throw new ValidationError('timestamp', 'expected RFC 3339 or epoch milliseconds')
    const { id } = await reportTransition({
      db: deps.pg.db,
      input: {
        projectId: caller.projectId,
        scope: body.scope,
        scopeId: body.scope_id,
        processId: body.process_id ?? caller.actor ?? caller.via,
        name: body.name,
        event: body.event,
        from: body.from,
        to: body.to,
        reason: body.reason,
        snapshot: body.snapshot,
        sdk: body.sdk,
        reportedAt: new Date(Math.floor(us / 1000)),
      },
    })
    await recordAudit(c, {
      action: 'circuit.transition',
      targetType: 'circuit_event',
      targetId: String(id),
      details: {
        scope: body.scope,
        scope_id: body.scope_id,
        event: body.event,
        from: body.from,
        to: body.to,
        reason: body.reason ?? null,
      },
    })
    return c.json({ id }, 201)
  },
)

/** `GET /api/circuit-breaker/status`: the latest reported state per breaker and process. */
circuitBreakerRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/status',
    summary: 'The latest reported state per breaker and SDK process',
    responses: { 200: jsonResponse('states', CircuitStatus.meta({ id: 'CircuitStatus' })), ...commonProblems },
  }),
  async (c) => c.json(await circuitStatus({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId }), 200),
)
