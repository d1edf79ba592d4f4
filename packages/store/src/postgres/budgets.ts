import { and, asc, eq } from 'drizzle-orm'
import type { Db } from './client.js'
import { budgets, type Budget } from './schema.js'

export type BudgetInsert = Omit<typeof budgets.$inferInsert, 'createdAt' | 'updatedAt'>
export type BudgetPatch = Partial<Omit<BudgetInsert, 'id' | 'projectId'>>

/** Budget rows; every query is scoped to the project it is given. */
export async function insertBudget(db: Db, params: BudgetInsert): Promise<Budget> {
  const [row] = await db.insert(budgets).values(params).returning()
  if (!row) throw new Error('insert into budgets returned no row')
  return row
}

export async function listBudgets(db: Db, params: { projectId: string; enabledOnly?: boolean }): Promise<Budget[]> {
  const where = params.enabledOnly
    ? and(eq(budgets.projectId, params.projectId), eq(budgets.enabled, true))
    : eq(budgets.projectId, params.projectId)
  return db.select().from(budgets).where(where).orderBy(asc(budgets.createdAt), asc(budgets.id))
}

export async function getBudget(db: Db, params: { projectId: string; id: string }): Promise<Budget | undefined> {
  const [row] = await db
    .select()
    .from(budgets)
    .where(and(eq(budgets.projectId, params.projectId), eq(budgets.id, params.id)))
    .limit(1)
  return row
}

/** Undefined when the project has no such budget. */
export async function updateBudget(
  db: Db,
  params: { projectId: string; id: string; patch: BudgetPatch },
): Promise<Budget | undefined> {
  const [row] = await db
    .update(budgets)
    .set({ ...params.patch, updatedAt: new Date() })
    .where(and(eq(budgets.projectId, params.projectId), eq(budgets.id, params.id)))
    .returning()
  return row
}

export async function deleteBudget(db: Db, params: { projectId: string; id: string }): Promise<boolean> {
  const rows = await db
    .delete(budgets)
    .where(and(eq(budgets.projectId, params.projectId), eq(budgets.id, params.id)))
    .returning({ id: budgets.id })
  return rows.length > 0
}
