import { Hono } from 'hono'
import { ValidationError, toEpochMicros } from '@tollgate/core'
import {
  createAlertRule,
  listAlertEvents,
  listAlertRuleViews,
  patchAlertRule,
  removeAlertRule,
  toAlertEventView,
} from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { parseAnalyticsQuery } from '../../lib/analytics-query.js'
import { parseJsonBody, requireAdmin } from '../projects/schema.js'
import { AlertHistoryQuery, CreateAlertBody, needsTarget, PatchAlertBody, SdkAlertBody } from './schema.js'
import { recordAudit } from '../audit/record.js'

/** `POST …/alerts/sdk-alert`: an alert raised inside an SDK, stored in the history and forwarded to ALERT_WEBHOOK_URL. */
export const sdkAlertRoutes = new Hono<AppEnv>()
sdkAlertRoutes.post('/sdk-alert', async (c) => {
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
})

/** Alert rules and their history; mutations need admin; another project's rule answers 404. */
export const alertRoutes = new Hono<AppEnv>()

alertRoutes.get('/', async (c) =>
  c.json({ rules: await listAlertRuleViews({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId }) }),
)

alertRoutes.post('/', async (c) => {
  requireAdmin(c.var.caller)
  const input = await parseJsonBody(c, CreateAlertBody)
  const rule = await createAlertRule({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId, input })
  await recordAudit(c, { action: 'alert_rule.created', targetType: 'alert_rule', targetId: rule.id, details: { rule } })
  return c.json(rule, 201)
})

alertRoutes.get('/history', async (c) => {
  const { query } = parseAnalyticsQuery(AlertHistoryQuery, c.req.query())
  const events = await listAlertEvents(c.var.deps.pg.db, {
    projectId: c.var.caller.projectId,
    from: query.from === undefined ? undefined : new Date(Math.floor(query.from / 1000)),
    to: query.to === undefined ? undefined : new Date(Math.floor(query.to / 1000)),
    ruleId: query.rule_id,
    limit: query.limit,
  })
  return c.json({ events: events.map(toAlertEventView) })
})

alertRoutes.patch('/:id', async (c) => {
  requireAdmin(c.var.caller)
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
  return c.json(rule)
})

alertRoutes.delete('/:id', async (c) => {
  requireAdmin(c.var.caller)
  await removeAlertRule({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId, id: c.req.param('id') })
  await recordAudit(c, { action: 'alert_rule.deleted', targetType: 'alert_rule', targetId: c.req.param('id') })
  return c.body(null, 204)
})

alertRoutes.route('/', sdkAlertRoutes)
