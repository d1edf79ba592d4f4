import { createRoute } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import {
  MAX_JSON_DEPTH,
  NotFoundError,
  ValidationError,
  adenEventType,
  loadPriceOverrides,
  normalizeAdenMetric,
  priceCatalog,
  toEpochMicros,
  type CatalogPrice,
} from '@tollgate/core'
import type { Policy, PolicyBudget } from '@tollgate/policy'
import { buildPolicy, type PolicyCache } from '@tollgate/store'
import type { AppDeps, AppEnv } from '../../context.js'
import { commonProblems, openApiRoutes, problemResponse } from '../../lib/openapi-route.js'
import { deepestField } from '../projects/schema.js'
import { Rejected, documented, ingestItems, readJson } from './door.js'

/**
 * The control plane the aden SDK (`aden-py`, `MeterOptions(server_url=<tollgate>)`) talks to: its metric
 * events become spans through the ingest verb, its control events join the SDK-alert history, and its
 * policy is the project's budgets — the same ones `GET /api/policy` serves, with the same live spend —
 * rendered in aden's shape. aden treats anything but exactly 200 with a JSON body as a failure.
 */

/** aden's budget entry (`_parse_budget` reads these keys). */
export interface AdenBudget {
  id: string
  type: PolicyBudget['scope']
  name: string
  limit: number
  spent: number
  limitAction: 'block' | 'degrade' | 'throttle' | 'alert'
  degradeToModel: string | null
  degradeToProvider: null
  tags: string[] | null
}

export interface AdenPolicy {
  version: string
  updated_at: string | null
  budgets: AdenBudget[]
  throttles: never[]
  blocks: never[]
  degradations: never[]
  alerts: never[]
}

/**
 * One budget model, two renderings. A scoped budget is named by its scope value, since aden matches
 * `metadata.tenant_id` (customer_id, feature, agent) against a budget's name or id; a tag budget
 * lists its value in `tags`. The action is the one the policy takes at 100 % of the limit. Budgets
 * with only a token limit have no aden form (aden budgets are in USD) and are left out.
 */
export function renderAdenPolicy(policy: Policy): AdenPolicy {
  const budgets: AdenBudget[] = []
  for (const b of policy.budgets) {
    if (b.limit_usd === undefined) continue
    const atLimit = [...b.thresholds].filter((t) => t.percent <= 100).pop()
    const action = atLimit?.action ?? 'block'
    budgets.push({
      id: b.id,
      type: b.scope,
      name: b.scope === 'global' || b.scope === 'tag' ? (b.name ?? b.id) : (b.scope_value ?? b.id),
      limit: b.limit_usd,
      spent: b.spent_usd,
      limitAction: action === 'allow' ? 'alert' : action,
      degradeToModel: action === 'degrade' ? (atLimit?.degrade_to_model ?? null) : null,
      degradeToProvider: null,
      tags: b.scope === 'tag' && b.scope_value ? [b.scope_value] : null,
    })
  }
  return {
    version: policy.version ?? 'unknown',
    updated_at: policy.generated_at ?? null,
    budgets,
    throttles: [],
    blocks: [],
    degradations: [],
    alerts: [],
  }
}

const EventsBody = z.object({ events: z.array(z.unknown()) })
const EventsResponse = z.object({
  accepted: z.number().int().describe('metric events stored as spans (durable)'),
  rejected: Rejected,
  control: z.number().int().describe('control events recorded in the alert history'),
  ignored: z.number().int().describe('heartbeats and other events'),
})
const ValidateBody = z.looseObject({
  budget_id: z.string().min(1).max(256),
  estimated_cost: z.number().finite().nonnegative().nullish(),
  local_spend: z.number().finite().nonnegative().nullish(),
})
const ValidateResponse = z.object({
  allowed: z.boolean(),
  action: z.enum(['allow', 'block', 'degrade', 'throttle', 'alert']),
  authoritative_spend: z.number(),
  updated_spend: z.number(),
  budget_limit: z.number(),
  usage_percent: z.number(),
  projected_percent: z.number(),
  policy_version: z.string(),
  reason: z.string().nullable(),
  degrade_to_model: z.string().nullable(),
  degrade_to_provider: z.null(),
})
const PricingResponse = z.object({
  pricing: z.record(
    z.string(),
    z.object({ input: z.number(), output: z.number(), cached_input: z.number(), aliases: z.array(z.string()) }),
  ),
})

/** Request bodies are documented only (the door reads and checks them itself); responses are typed. */
const requestBody = (schema: z.ZodType) => ({ 'application/json': { schema: documented(schema) } })
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } })
const CONTROL_ACTIONS = new Set(['block', 'throttle', 'degrade', 'alert'])

const postEvents = (admission: MiddlewareHandler<AppEnv>) =>
  createRoute({
    method: 'post',
    path: '/v1/control/events',
    summary: "aden's event batch: metric events → spans, control events → the SDK-alert history",
    description:
      'Always exactly 200 with a JSON body once the metric events are durable (aden drops a batch otherwise).',
    middleware: [admission] as const,
    request: { body: { required: true, content: requestBody(EventsBody) } },
    responses: {
      200: { description: 'stored (durable)', content: json(EventsResponse) },
      400: problemResponse('not `{ events: [...] }`'),
      413: problemResponse('over the body or span limits'),
      ...commonProblems,
    },
  })

const getPolicy = createRoute({
  method: 'get',
  path: '/v1/control/policy',
  summary: "The project's budgets in aden's policy shape, with live spend (same budgets as GET /api/policy)",
  responses: {
    200: { description: 'the policy', content: json(z.looseObject({ version: z.string() })) },
    ...commonProblems,
  },
})

const postValidate = createRoute({
  method: 'post',
  path: '/v1/control/budget/validate',
  summary: "aden's server-side budget check: the spend Tollgate knows and the action it implies",
  request: { body: { required: true, content: requestBody(ValidateBody) } },
  responses: {
    200: { description: 'the decision', content: json(ValidateResponse) },
    400: problemResponse('invalid body'),
    404: problemResponse('no such enabled USD budget in the caller’s project'),
    ...commonProblems,
  },
})

const getPricing = createRoute({
  method: 'get',
  path: '/tsdb/pricing',
  summary: 'USD per million tokens per model, read from the pricer Tollgate bills with',
  responses: { 200: { description: 'the price table', content: json(PricingResponse) }, ...commonProblems },
})

export function adenRoutes(deps: AppDeps, policies: PolicyCache, admission: MiddlewareHandler<AppEnv>) {
  const policyOf = (c: Context<AppEnv>): Promise<Policy> =>
    policies.get(c.var.caller.projectId, () =>
      buildPolicy({ ch: c.var.deps.ch, db: c.var.deps.pg.db, projectId: c.var.caller.projectId }),
    )
  let catalog: { at: number; value: Record<string, CatalogPrice> } | undefined
  const overrides = deps.env.PRICES_FILE ? loadPriceOverrides(deps.env.PRICES_FILE).overrides : undefined

  return openApiRoutes()
    .openapi(postEvents(admission), async (c) => {
      const body = EventsBody.safeParse(await readJson(c))
      if (!body.success) throw new ValidationError('events', 'expected { events: [...] }')
      const metrics: unknown[] = []
      // Where each metric event sat among all events, as the SDK sent them: rejections name those indexes.
      const metricIndex: number[] = []
      const controls: Array<{ index: number; event: Record<string, unknown> }> = []
      let ignored = 0
      body.data.events.forEach((e, index) => {
        const type = adenEventType(e)
        if (type === 'metric') {
          metrics.push(e)
          metricIndex.push(index)
        } else if (type === 'control' && CONTROL_ACTIONS.has(String((e as { action?: unknown }).action))) {
          controls.push({ index, event: e as Record<string, unknown> })
        } else ignored++
      })
      const result = metrics.length > 0 ? await ingestItems(c, metrics, normalizeAdenMetric) : undefined
      // Control events are kept as JSON in the alert history: one nested too deep is refused on its index.
      const refused: Array<{ index: number; error: string }> = []
      for (const { index, event } of controls) {
        const deep = deepestField(event)
        if (deep !== null) refused.push({ index, error: `${deep}: nested deeper than ${MAX_JSON_DEPTH} levels` })
        else await recordControl(c, event)
      }
      const rejected = (result?.rejected ?? [])
        .map(({ index, error }) => ({
          index: metricIndex[index] ?? index,
          error,
        }))
        .concat(refused)
        .sort((a, b) => a.index - b.index)
      return c.json(
        { accepted: result?.accepted ?? 0, rejected, control: controls.length - refused.length, ignored },
        200,
      )
    })
    .openapi(getPolicy, async (c) => {
      c.header('Cache-Control', 'private, max-age=0')
      return c.json(renderAdenPolicy(await policyOf(c)), 200)
    })
    .openapi(postValidate, async (c) => {
      const parsed = ValidateBody.safeParse(await readJson(c))
      if (!parsed.success) throw new ValidationError('budget_id', 'expected { budget_id, estimated_cost, local_spend }')
      const policy = renderAdenPolicy(await policyOf(c))
      const budget = policy.budgets.find((b) => b.id === parsed.data.budget_id)
      if (!budget) throw new NotFoundError('budget', parsed.data.budget_id)
      const spent = budget.spent
      const projected = spent + (parsed.data.estimated_cost ?? 0)
      const over = projected >= budget.limit
      const action = over ? budget.limitAction : 'allow'
      return c.json(
        {
          allowed: action !== 'block',
          action,
          authoritative_spend: spent,
          updated_spend: spent,
          budget_limit: budget.limit,
          usage_percent: (spent / budget.limit) * 100,
          projected_percent: (projected / budget.limit) * 100,
          policy_version: policy.version,
          reason: over
            ? `Budget '${budget.id}' at ${((projected / budget.limit) * 100).toFixed(1)}% of $${budget.limit}`
            : null,
          degrade_to_model: action === 'degrade' ? budget.degradeToModel : null,
          degrade_to_provider: null,
        },
        200,
      )
    })
    .openapi(getPricing, (c) => {
      // Prices change with the bundled data or PRICES_FILE, i.e. per process; dated prices once an hour.
      if (!catalog || Date.now() - catalog.at > 3_600_000) {
        catalog = { at: Date.now(), value: priceCatalog(c.var.deps.pricer, { overrides }) }
      }
      c.header('Cache-Control', 'private, max-age=300')
      return c.json({ pricing: catalog.value }, 200)
    })
}

/** A block, throttle, degrade or alert decision the SDK took, kept in the alert history (kind `sdk`). */
async function recordControl(c: Context<AppEnv>, e: Record<string, unknown>): Promise<void> {
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
  const us = e.timestamp === undefined || e.timestamp === null ? null : toEpochMicros(e.timestamp)
  const action = String(e.action)
  await c.var.deps.alerts.sdkAlert(c.var.caller.projectId, {
    scope: 'aden',
    scope_id: (str(e.budget_id) ?? str(e.context_id) ?? str(e.policy_id))?.slice(0, 256),
    reason: (str(e.reason) ?? action).slice(0, 256),
    blocked: action === 'block',
    at: new Date(us === null ? Date.now() : Math.floor(us / 1000)),
    details: { source: 'aden', ...e },
  })
}
