import { Hono } from 'hono'
import {
  createBudget,
  getBudgetView,
  listBudgetViews,
  patchBudget,
  removeBudget,
  type PolicyCache,
} from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { parseJsonBody, requireAdmin } from '../projects/schema.js'
import { checkBudget, CreateBudgetBody, PatchBudgetBody } from './schema.js'
import { recordAudit } from '../audit/record.js'

/** Budgets of the caller's project; mutations need admin; another project's id answers 404. */
export function budgetRoutes(policies: PolicyCache): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/', async (c) =>
    c.json({ budgets: await listBudgetViews({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId }) }),
  )

  app.get('/:id', async (c) =>
    c.json(await getBudgetView({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId, id: c.req.param('id') })),
  )

  app.post('/', async (c) => {
    requireAdmin(c.var.caller)
    const input = await parseJsonBody(c, CreateBudgetBody)
    checkBudget(input)
    const budget = await createBudget({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId, input })
    policies.invalidate(c.var.caller.projectId)
    await recordAudit(c, { action: 'budget.created', targetType: 'budget', targetId: budget.id, details: { budget } })
    return c.json(budget, 201)
  })

  app.patch('/:id', async (c) => {
    requireAdmin(c.var.caller)
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
    return c.json(budget)
  })

  app.delete('/:id', async (c) => {
    requireAdmin(c.var.caller)
    await removeBudget({ db: c.var.deps.pg.db, projectId: c.var.caller.projectId, id: c.req.param('id') })
    policies.invalidate(c.var.caller.projectId)
    await recordAudit(c, { action: 'budget.deleted', targetType: 'budget', targetId: c.req.param('id') })
    return c.body(null, 204)
  })
  return app
}
