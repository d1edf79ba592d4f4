import { createRoute, z } from '@hono/zod-openapi'
import { NotFoundError, UnavailableError, redact } from '@tollgate/core'
import { getProject, setProjectPiiPolicy } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { adminOnly, commonProblems, openApiRoutes, problemResponse } from '../../lib/openapi-route.js'

export const ScanBody = z.strictObject({
  text: z.string().max(262_144).describe('at most 256 KiB, as a span input'),
})

export const ScanResult = z
  .object({
    version: z.string().describe('pattern files in force: data/patterns versions and PATTERNS_FILE digest'),
    pii_detected: z.boolean(),
    pii_types: z.array(z.string()),
    pii: z.array(z.object({ type: z.string(), pattern: z.string(), start: z.number(), end: z.number() })),
    injection_attempt: z.boolean(),
    injection: z.array(
      z.object({ pattern: z.string().describe('"phrase" or an INJECTION pattern name'), match: z.string() }),
    ),
    redacted: z.string().describe('the text as PII_POLICY=redact would store it'),
  })
  .meta({ id: 'ScanResult' })

const PolicyValue = z.enum(['redact', 'drop', 'keep'])
export const PiiPolicyView = z
  .object({
    pii_policy: PolicyValue.nullable().describe("the project's own policy; null = the server default"),
    default: PolicyValue.describe('PII_POLICY'),
    effective: PolicyValue,
    zero_data_retention: z.boolean(),
  })
  .meta({ id: 'PiiPolicy' })
export const PiiPolicyBody = z.strictObject({ pii_policy: PolicyValue.nullable() })

const scanRoute = createRoute({
  method: 'post',
  path: '/',
  summary: 'What the PII and prompt-injection scanners find in a text (for tuning PATTERNS_FILE); nothing is stored',
  middleware: [adminOnly] as const,
  request: { body: { content: { 'application/json': { schema: ScanBody } }, required: true } },
  responses: {
    200: { description: 'the findings', content: { 'application/json': { schema: ScanResult } } },
    400: problemResponse('invalid body'),
    403: problemResponse('needs an admin credential'),
    ...commonProblems,
  },
})

const getPolicyRoute = createRoute({
  method: 'get',
  path: '/policy',
  summary: "The caller's project's PII policy",
  responses: {
    200: { description: 'the policy', content: { 'application/json': { schema: PiiPolicyView } } },
    ...commonProblems,
  },
})

const putPolicyRoute = createRoute({
  method: 'put',
  path: '/policy',
  summary: "Sets the caller's project's PII policy (null: back to PII_POLICY); other replicas apply it within 10 s",
  middleware: [adminOnly] as const,
  request: { body: { content: { 'application/json': { schema: PiiPolicyBody } }, required: true } },
  responses: {
    200: { description: 'the policy now', content: { 'application/json': { schema: PiiPolicyView } } },
    400: problemResponse('invalid body'),
    403: problemResponse('needs an admin credential'),
    404: problemResponse('the project has no row (a JWT may name one that was never created)'),
    ...commonProblems,
  },
})

/** `/api/scan`: the scanners on demand, and the project's PII policy. */
export const scanRoutes = openApiRoutes()
  .openapi(scanRoute, (c) => {
    const scanner = c.var.deps.ingest.enrich.scanner
    if (!scanner) throw new UnavailableError('scanner', 1)
    const { text } = c.req.valid('json')
    const pii = scanner.findPii(text)
    const injection = scanner.findInjection(text)
    return c.json(
      {
        version: scanner.version,
        pii_detected: pii.length > 0,
        pii_types: [...new Set(pii.map((f) => f.type))].sort(),
        pii,
        injection_attempt: injection.length > 0,
        injection,
        redacted: redact(text, pii),
      },
      200,
    )
  })
  .openapi(getPolicyRoute, async (c) => {
    const project = await getProject(c.var.deps.pg.db, { id: c.var.caller.projectId })
    return c.json(policyView(c.var.deps, project?.piiPolicy ?? null), 200)
  })
  .openapi(putPolicyRoute, async (c) => {
    const { pii_policy } = c.req.valid('json')
    const { deps } = c.var
    const ok = await setProjectPiiPolicy(deps.pg.db, { projectId: c.var.caller.projectId, piiPolicy: pii_policy })
    if (!ok) throw new NotFoundError('project', c.var.caller.projectId)
    await deps.ingest.enrich.projectPolicies?.refresh()
    return c.json(policyView(deps, pii_policy), 200)
  })

function policyView(deps: AppEnv['Variables']['deps'], own: 'redact' | 'drop' | 'keep' | null) {
  const fallback = deps.ingest.enrich.piiPolicy ?? 'redact'
  return {
    pii_policy: own,
    default: fallback,
    effective: own ?? fallback,
    zero_data_retention: deps.ingest.enrich.zeroDataRetention,
  }
}
