import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { ValidationError, toEpochMicros } from '@tollgate/core'
import {
  createAlertRule,
  listAlertEvents,
  listAlertRuleViews,
  patchAlertRule,
  removeAlertRule,
  toAlertEventView,
} from '@tollgate/store'
import { parseAnalyticsQuery } from '../../lib/analytics-query.js'
import {
  adminOnly,
  adminProblems,
  commonProblems,
  IdParam,
  jsonResponse,
  openApiRoutes,
  parsedJsonBody,
  problemResponse,
} from '../../lib/openapi-route.js'
import { parseJsonBody } from '../projects/schema.js'
import {
  AlertEventView,
  AlertHistoryQuery,
  AlertRuleView,
  CreateAlertBody,
  needsTarget,
  PatchAlertBody,
  SdkAlertBody,
} from './schema.js'
import { recordAudit } from '../audit/record.js'

const AlertEvent = AlertEventView.meta({ id: 'AlertEvent' })
const AlertRule = AlertRuleView.meta({ id: 'AlertRule' })
const notFound = problemResponse('no such rule in this project')

/** `POST …/alerts/sdk-alert`: an alert raised inside an SDK, stored in the history and forwarded to ALERT_WEBHOOK_URL. */
export const sdkAlertRoutes = openApiRoutes()
sdkAlertRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/sdk-alert',
    summary: 'An alert raised inside an SDK: stored in the history, forwarded to ALERT_WEBHOOK_URL',
    request: { body: parsedJsonBody(sdkAlertRoutes, 'SdkAlert', SdkAlertBody) },
    responses: {
      201: jsonResponse('the stored event', AlertEvent),
      400: problemResponse('invalid body'),
      ...commonProblems,
    },
  }),
  async (c) => {
    const body = await parseJsonBody(c, SdkAlertBody)
    const us = body.timestamp === undefined ? Date.now() * 1000 : toEpochMicros(body.timestamp)
    if (us === null) throw new ValidationError('timestamp', 'expected RFC 3339 or epoch milliseconds')
    const { scope, scope_id, reason, message, threshold, current, blocked, timestamp: _, ...details } = body
    const event = await c.var.deps.alerts.sdkAlert(c.var.caller.projectId, {
      scope,
      scope_id,
      reason,
      message,
      threshold,
      current,
      blocked,
      at: new Date(Math.floor(us / 1000)),
      details: { scope, scope_id, reason, blocked, ...details },
    })
    return c.json(event, 201)
  },
)

/** Alert rules and their history; mutations need admin; another project's rule answers 404. */
export const alertRoutes = openApiRoutes()

alertRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/',
    summary: "The project's alert rules",
    responses: {
      200: jsonResponse('rules', z.object({ rules: z.array(AlertRule) }).meta({ id: 'AlertRuleList' })),
      ...commonProblems,
    },
  }),
  async (c) =>
    c.json({ rules: await listAlertRuleViews({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId }) }, 200),
)

alertRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/',
    summary: 'Create an alert rule',
    middleware: [adminOnly],
    request: { body: parsedJsonBody(alertRoutes, 'CreateAlertBody', CreateAlertBody) },
    responses: {
      201: jsonResponse('created', AlertRule),
      400: problemResponse('invalid body (field named in detail)'),
      ...adminProblems,
    },
  }),
  async (c) => {
    const input = await parseJsonBody(c, CreateAlertBody)
    const rule = await createAlertRule({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId, input })
    await recordAudit(c, {
      action: 'alert_rule.created',
      targetType: 'alert_rule',
      targetId: rule.id,
      details: { rule },
    })
    return c.json(rule, 201)
  },
)

alertRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/history',
    summary: 'Fired, resolved and SDK alerts, newest first, with their notification outcome',
    request: { query: AlertHistoryQuery },
    responses: {
      200: jsonResponse('events', z.object({ events: z.array(AlertEvent) }).meta({ id: 'AlertHistory' })),
      400: problemResponse('invalid parameter'),
      ...commonProblems,
    },
  }),
  async (c) => {
    const { query } = parseAnalyticsQuery(AlertHistoryQuery, c.req.query())
    const events = await listAlertEvents(c.var.deps.pg.db, {
      projectId: c.var.caller.projectId,
      from: query.from === undefined ? undefined : new Date(Math.floor(query.from / 1000)),
      to: query.to === undefined ? undefined : new Date(Math.floor(query.to / 1000)),
      ruleId: query.rule_id,
      limit: query.limit,
    })
    return c.json({ events: events.map(toAlertEventView) }, 200)
  },
)

alertRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/{id}',
    summary: 'Change any field of a rule (checked on the merged rule)',
    middleware: [adminOnly],
    request: { params: IdParam, body: parsedJsonBody(alertRoutes, 'PatchAlertBody', PatchAlertBody) },
    responses: {
      200: jsonResponse('the rule', AlertRule),
      400: problemResponse('invalid body'),
      404: notFound,
      ...adminProblems,
    },
  }),
  async (c) => {
    const patch = await parseJsonBody(c, PatchAlertBody)
    const check = (merged: { action_type: string; target: string | null }) => {
      if (!needsTarget(merged)) throw new ValidationError('target', 'webhook and slack actions need an http(s) target')
    }
    const rule = await patchAlertRule({
      db: c.var.deps.pg.db,
      projectId: c.var.caller.projectId,
      id: c.req.param('id'),
      patch,
      check,
    })
    await recordAudit(c, {
      action: 'alert_rule.updated',
      targetType: 'alert_rule',
      targetId: rule.id,
      details: { patch, rule },
    })
    return c.json(rule, 200)
  },
)

alertRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}',
    summary: 'Delete a rule',
    middleware: [adminOnly],
    request: { params: IdParam },
    responses: { 204: { description: 'deleted' }, 404: notFound, ...adminProblems },
  }),
  async (c) => {
    await removeAlertRule({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId, id: c.req.param('id') })
    await recordAudit(c, { action: 'alert_rule.deleted', targetType: 'alert_rule', targetId: c.req.param('id') })
    return c.body(null, 204)
  },
)

alertRoutes.route('/', sdkAlertRoutes)
