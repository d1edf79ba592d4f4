import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { z } from 'zod'
import {
  createBudget,
  getBudgetView,
  listBudgetViews,
  patchBudget,
  removeBudget,
  type PolicyCache,
} from '@tollgate/store'
import type { AppEnv } from '../../context.js'
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
import { BudgetView, checkBudget, CreateBudgetBody, PatchBudgetBody } from './schema.js'
import { recordAudit } from '../audit/record.js'

const Budget = BudgetView.meta({ id: 'Budget' })
const notFound = problemResponse('no such budget in this project')

/** Budgets of the caller's project; mutations need admin; another project's id answers 404. */
export function budgetRoutes(policies: PolicyCache): OpenAPIHono<AppEnv> {
  const app = openApiRoutes()
  const createBody = parsedJsonBody(app, 'CreateBudgetBody', CreateBudgetBody)
  const patchBody = parsedJsonBody(app, 'PatchBudgetBody', PatchBudgetBody)

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: "The project's budgets, each with the spend of its current window",
      responses: {
        200: jsonResponse('budgets', z.object({ budgets: z.array(Budget) }).meta({ id: 'BudgetList' })),
        ...commonProblems,
      },
    }),
    async (c) =>
      c.json({ budgets: await listBudgetViews({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId }) }, 200),
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      summary: 'One budget',
      request: { params: IdParam },
      responses: { 200: jsonResponse('the budget', Budget), 404: notFound, ...commonProblems },
    }),
    async (c) =>
      c.json(
        await getBudgetView({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId, id: c.req.param('id') }),
        200,
      ),
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      summary: 'Create a budget',
      middleware: [adminOnly],
      request: { body: createBody },
      responses: {
        201: jsonResponse('created', Budget),
        400: problemResponse('invalid body (field named in detail)'),
        ...adminProblems,
      },
    }),
    async (c) => {
      const input = await parseJsonBody(c, CreateBudgetBody)
      checkBudget(input)
      const budget = await createBudget({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId, input })
      policies.invalidate(c.var.caller.projectId)
      await recordAudit(c, { action: 'budget.created', targetType: 'budget', targetId: budget.id, details: { budget } })
      return c.json(budget, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      summary: 'Change any field of a budget (checked on the merged budget)',
      middleware: [adminOnly],
      request: { params: IdParam, body: patchBody },
      responses: {
        200: jsonResponse('the budget', Budget),
        400: problemResponse('invalid body'),
        404: notFound,
        ...adminProblems,
      },
    }),
    async (c) => {
      const patch = await parseJsonBody(c, PatchBudgetBody)
      const budget = await patchBudget({
        db: c.var.deps.pg.db,
        projectId: c.var.caller.projectId,
        id: c.req.param('id'),
        patch,
        check: checkBudget,
      })
      policies.invalidate(c.var.caller.projectId)
      await recordAudit(c, {
        action: 'budget.updated',
        targetType: 'budget',
        targetId: budget.id,
        details: { patch, budget },
      })
      return c.json(budget, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      summary: 'Delete a budget',
      middleware: [adminOnly],
      request: { params: IdParam },
      responses: { 204: { description: 'deleted' }, 404: notFound, ...adminProblems },
    }),
    async (c) => {
      await removeBudget({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId, id: c.req.param('id') })
      policies.invalidate(c.var.caller.projectId)
      await recordAudit(c, { action: 'budget.deleted', targetType: 'budget', targetId: c.req.param('id') })
      return c.body(null, 204)
    },
  )
  return app
}
