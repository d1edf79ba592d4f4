import { z } from 'zod'
import { Policy } from '@tollgate/policy'
import { BudgetView, CreateBudgetBody, PatchBudgetBody } from './routes/budgets/schema.js'
import { CircuitStatus, CircuitTransitionBody } from './routes/circuit-breaker/schema.js'
import { AlertEventView, AlertRuleView, CreateAlertBody, PatchAlertBody, SdkAlertBody } from './routes/alerts/schema.js'

type ToSchema = (s: z.ZodType, io?: 'input' | 'output') => Record<string, unknown>
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } })
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
})

export function controlSchemas(schema: ToSchema): Record<string, unknown> {
  return {
    Budget: schema(BudgetView),
    BudgetList: schema(z.object({ budgets: z.array(BudgetView) })),
    CreateBudgetBody: schema(CreateBudgetBody, 'input'),
    PatchBudgetBody: schema(PatchBudgetBody, 'input'),
    Policy: schema(Policy),
    CircuitTransition: schema(CircuitTransitionBody, 'input'),
    CircuitStatus: schema(CircuitStatus),
    AlertRule: schema(AlertRuleView),
    AlertRuleList: schema(z.object({ rules: z.array(AlertRuleView) })),
    CreateAlertBody: schema(CreateAlertBody, 'input'),
    PatchAlertBody: schema(PatchAlertBody, 'input'),
    AlertEvent: schema(AlertEventView),
    AlertHistory: schema(z.object({ events: z.array(AlertEventView) })),
    SdkAlert: schema(SdkAlertBody, 'input'),
  }
}

/** Budgets (mutations need admin; another project's id answers 404), the SDK policy and breaker reports. */
export function controlPaths(security: unknown[]): Record<string, unknown> {
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } }
  const denied = { '401': problem('missing or invalid credentials'), '403': problem('not an admin credential') }
  const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } })
  return {
    '/api/budgets': {
      get: {
        summary: "The project's budgets",
        security,
        responses: { '200': { description: 'budgets', ...json('BudgetList') }, '401': problem('unauthorized') },
      },
      post: {
        summary: 'Create a budget',
        security,
        requestBody: body('CreateBudgetBody'),
        responses: {
          '201': { description: 'created', ...json('Budget') },
          '400': problem('invalid body (field named in detail)'),
          ...denied,
        },
      },
    },
    '/api/budgets/{id}': {
      get: {
        summary: 'One budget',
        security,
        parameters: [id],
        responses: {
          '200': { description: 'the budget', ...json('Budget') },
          '404': problem('no such budget in this project'),
        },
      },
      patch: {
        summary: 'Change any field of a budget',
        security,
        parameters: [id],
        requestBody: body('PatchBudgetBody'),
        responses: {
          '200': { description: 'the budget', ...json('Budget') },
          '400': problem('invalid body'),
          '404': problem('no such budget in this project'),
          ...denied,
        },
      },
      delete: {
        summary: 'Delete a budget',
        security,
        parameters: [id],
        responses: { '204': { description: 'deleted' }, '404': problem('no such budget in this project'), ...denied },
      },
    },
    '/api/policy': {
      get: {
        summary:
          'What SDKs enforce: every enabled budget with the spend of its current window, computed from the stored spans (cached POLICY_CACHE_TTL_MS)',
        security,
        responses: {
          '200': { description: 'the @tollgate/policy shape', ...json('Policy') },
          '401': problem('unauthorized'),
        },
      },
    },
    '/api/circuit-breaker/state': {
      post: {
        summary: 'A breaker transition an SDK reports; appended to the audit table',
        security,
        requestBody: body('CircuitTransition'),
        responses: { '201': { description: 'stored' }, '400': problem('invalid body'), ...denied },
      },
    },
    '/api/alerts': {
      get: {
        summary: "The project's alert rules",
        security,
        responses: { '200': { description: 'rules', ...json('AlertRuleList') }, '401': problem('unauthorized') },
      },
      post: {
        summary: 'Create an alert rule',
        security,
        requestBody: body('CreateAlertBody'),
        responses: {
          '201': { description: 'created', ...json('AlertRule') },
          '400': problem('invalid body (field named in detail)'),
          ...denied,
        },
      },
    },
    '/api/alerts/{id}': {
      patch: {
        summary: 'Change any field of a rule',
        security,
        parameters: [id],
        requestBody: body('PatchAlertBody'),
        responses: {
          '200': { description: 'the rule', ...json('AlertRule') },
          '400': problem('invalid body'),
          '404': problem('no such rule in this project'),
          ...denied,
        },
      },
      delete: {
        summary: 'Delete a rule',
        security,
        parameters: [id],
        responses: { '204': { description: 'deleted' }, '404': problem('no such rule in this project'), ...denied },
      },
    },
    '/api/alerts/history': {
      get: {
        summary: 'Fired, resolved and SDK alerts, newest first, with their notification outcome',
        security,
        parameters: [
          { name: 'from', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'to', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'rule_id', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        ],
        responses: {
          '200': { description: 'events', ...json('AlertHistory') },
          '400': problem('invalid parameter'),
          '401': problem('unauthorized'),
        },
      },
    },
    '/api/alerts/sdk-alert': {
      post: {
        summary: 'An alert raised inside an SDK: stored in the history, forwarded to ALERT_WEBHOOK_URL',
        security,
        requestBody: body('SdkAlert'),
        responses: {
          '201': { description: 'the stored event', ...json('AlertEvent') },
          '400': problem('invalid body'),
          ...denied,
        },
      },
    },
    '/api/api/alerts/sdk-alert': {
      post: {
        summary: 'An alert raised inside an SDK: stored in the history, forwarded to ALERT_WEBHOOK_URL',
        security,
        requestBody: body('SdkAlert'),
        responses: {
          '201': { description: 'the stored event', ...json('AlertEvent') },
          '400': problem('invalid body'),
          ...denied,
        },
      },
    },
    '/api/circuit-breaker/status': {
      get: {
        summary: 'The latest reported state per breaker and SDK process',
        security,
        responses: { '200': { description: 'states', ...json('CircuitStatus') }, '401': problem('unauthorized') },
      },
    },
  }
}
