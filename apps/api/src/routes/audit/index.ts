import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { listAudit, verifyAuditChain, type AuditRow } from '@tollgate/store'
import { Time } from '../../lib/analytics-query.js'
import { commonProblems, openApiRoutes, problemResponse } from '../../lib/openapi-route.js'
import { INSTANCE_CHAIN } from './record.js'

const AuditEntry = z
  .object({
    seq: z.number().describe('position in the chain, 1, 2, 3… with no gaps'),
    at: z.string(),
    actor: z.string().describe('key id, token subject, api-key, local or system; never a secret'),
    action: z
      .string()
      .describe(
        'e.g. budget.created, alert_rule.deleted, key.revoked, circuit.transition, report.generated, config.start',
      ),
    target_type: z.string(),
    target_id: z.string(),
    trace_id: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    prev_hash: z.string(),
    hash: z.string().describe('SHA-256 of prev_hash and the entry (docs/compliance.md)'),
  })
  .meta({ id: 'AuditEntry' })

const Chain = z
  .enum(['project', 'instance'])
  .describe("`project` (the caller's) or `instance` (configuration at start)")

const AuditQuery = z.strictObject({
  from: Time.optional().describe('RFC 3339, inclusive'),
  to: Time.optional().describe('RFC 3339, exclusive'),
  trace_id: z
    .string()
    .max(64)
    .optional()
    .describe('entries naming this trace (and, with from/to, entries in that range)'),
  after_seq: z.coerce.number().int().min(0).optional().describe('page on: the last seq already seen'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  chain: Chain.default('project'),
})

const ChainCheck = z.object({
  intact: z.boolean(),
  entries: z.number(),
  head: z.object({ seq: z.number(), hash: z.string() }).nullable(),
  broken: z
    .object({ seq: z.number(), id: z.number(), reason: z.enum(['hash-mismatch', 'prev-hash-mismatch', 'seq-gap']) })
    .nullable()
    .describe('the first entry that does not follow from the one before it'),
})

const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: "Audit entries of the caller's project (or the instance chain), in chain order",
  request: { query: AuditQuery },
  responses: {
    200: {
      description: 'entries and the cursor of the next page',
      content: {
        'application/json': {
          schema: z
            .object({ entries: z.array(AuditEntry), next_after_seq: z.number().nullable() })
            .meta({ id: 'AuditList' }),
        },
      },
    },
    400: problemResponse('invalid parameter (named in detail)'),
    ...commonProblems,
  },
})

const verifyRoute = createRoute({
  method: 'get',
  path: '/verify',
  summary: "Recomputes the project's hash chain and the instance chain; reports the first broken link of each",
  responses: {
    200: {
      description: 'each chain checked',
      content: {
        'application/json': {
          schema: z
            .object({ intact: z.boolean(), project: ChainCheck, instance: ChainCheck })
            .meta({ id: 'AuditVerification' }),
        },
      },
    },
    ...commonProblems,
  },
})

const view = (r: AuditRow): z.infer<typeof AuditEntry> => ({
  seq: r.seq,
  at: r.at.toISOString(),
  actor: r.actor,
  action: r.action,
  target_type: r.targetType,
  target_id: r.targetId,
  trace_id: r.traceId,
  details: JSON.parse(r.details) as Record<string, unknown>,
  prev_hash: r.prevHash,
  hash: r.hash,
})

export const auditRoutes = openApiRoutes()

auditRoutes.openapi(listRoute, async (c) => {
  const q = c.req.valid('query')
  const rows = await listAudit(c.var.deps.pg.db, {
    projectId: q.chain === 'instance' ? INSTANCE_CHAIN : c.var.caller.projectId,
    from: q.from === undefined ? undefined : new Date(Math.floor(q.from / 1000)),
    to: q.to === undefined ? undefined : new Date(Math.floor(q.to / 1000)),
    traceId: q.trace_id,
    afterSeq: q.after_seq,
    limit: q.limit,
  })
  const last = rows[rows.length - 1]
  return c.json({ entries: rows.map(view), next_after_seq: rows.length === q.limit && last ? last.seq : null }, 200)
})

auditRoutes.openapi(verifyRoute, async (c) => {
  const db = c.var.deps.pg.db
  const [project, instance] = await Promise.all([
    verifyAuditChain(db, { projectId: c.var.caller.projectId }),
    verifyAuditChain(db, { projectId: INSTANCE_CHAIN }),
  ])
  return c.json({ intact: project.intact && instance.intact, project, instance }, 200)
})
