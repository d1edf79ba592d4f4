import { randomUUID } from 'node:crypto'
import { NotFoundError } from '@tollgate/core'
import type { BudgetScope, BudgetWindow, PolicyAction } from '@tollgate/policy'
import type { Db } from '../postgres/client.js'
import {
  deleteBudget,
  getBudget,
  insertBudget,
  listBudgets,
  updateBudget,
  type BudgetPatch,
} from '../postgres/budgets.js'
import type { Budget, StoredThreshold } from '../postgres/schema.js'

/** A threshold as clients write it; `degrade_to`/`delay_ms` are accepted for `degrade_to_model`/`throttle_ms`. */
export interface ThresholdInput {
  percent: number
  action: PolicyAction
  degrade_to_model?: string | undefined
  degrade_to?: string | undefined
  throttle_ms?: number | undefined
  delay_ms?: number | undefined
}

export interface BudgetInput {
  name: string
  scope: BudgetScope
  scope_value?: string | null | undefined
  tag_key?: string | null | undefined
  limit_usd?: number | null | undefined
  limit_tokens?: number | null | undefined
  window: BudgetWindow
  thresholds: ThresholdInput[]
  limit_action: 'block' | 'alert'
  enabled: boolean
}

/** What the budget endpoints answer. */
export interface BudgetView {
  id: string
  name: string
  scope: BudgetScope
  scope_value: string | null
  tag_key: string | null
  limit_usd: number | null
  limit_tokens: number | null
  window: BudgetWindow
  thresholds: StoredThreshold[]
  limit_action: 'block' | 'alert'
  enabled: boolean
  created_at: string
  updated_at: string
}

export function toBudgetView(b: Budget): BudgetView {
  return {
    id: b.id,
    name: b.name,
    scope: b.scope,
    scope_value: b.scopeValue,
    tag_key: b.tagKey,
    limit_usd: b.limitUsd,
    limit_tokens: b.limitTokens,
    window: b.window,
    thresholds: b.thresholds,
    limit_action: b.limitAction,
    enabled: b.enabled,
    created_at: b.createdAt.toISOString(),
    updated_at: b.updatedAt.toISOString(),
  }
}

/**
 * The wire shape, sorted by percent; `limit_action` applies at 100 % unless a threshold at or past
 * 100 % already says what happens there.
 */
export function normalizeThresholds(input: ThresholdInput[], limitAction: 'block' | 'alert'): StoredThreshold[] {
  const out: StoredThreshold[] = input.map((t) => {
    const s: StoredThreshold = { percent: t.percent, action: t.action }
    const model = t.degrade_to_model ?? t.degrade_to
    const ms = t.throttle_ms ?? t.delay_ms
    if (t.action === 'degrade' && model !== undefined) s.degrade_to_model = model
    if (t.action === 'throttle' && ms !== undefined) s.throttle_ms = ms
    return s
  })
  if (!out.some((t) => t.percent >= 100)) out.push({ percent: 100, action: limitAction })
  return out.sort((a, b) => a.percent - b.percent)
}

function toRow(input: Partial<BudgetInput>): BudgetPatch {
  const row: BudgetPatch = {}
  if (input.name !== undefined) row.name = input.name
  if (input.scope !== undefined) row.scope = input.scope
  if (input.scope_value !== undefined) row.scopeValue = input.scope_value
  if (input.tag_key !== undefined) row.tagKey = input.tag_key
  if (input.limit_usd !== undefined) row.limitUsd = input.limit_usd
  if (input.limit_tokens !== undefined) row.limitTokens = input.limit_tokens
  if (input.window !== undefined) row.window = input.window
  if (input.limit_action !== undefined) row.limitAction = input.limit_action
  if (input.enabled !== undefined) row.enabled = input.enabled
  return row
}

export async function createBudget({
  db,
  projectId,
  input,
}: {
  db: Db
  projectId: string
  input: BudgetInput
}): Promise<BudgetView> {
  const row = await insertBudget(db, {
    id: `bud_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    projectId,
    name: input.name,
    scope: input.scope,
    window: input.window,
    ...toRow(input),
    thresholds: normalizeThresholds(input.thresholds, input.limit_action),
  })
  return toBudgetView(row)
}

export async function listBudgetViews({ db, projectId }: { db: Db; projectId: string }): Promise<BudgetView[]> {
  return (await listBudgets(db, { projectId })).map(toBudgetView)
}

export async function getBudgetView({
  db,
  projectId,
  id,
}: {
  db: Db
  projectId: string
  id: string
}): Promise<BudgetView> {
  const row = await getBudget(db, { projectId, id })
  if (!row) throw new NotFoundError('budget', id)
  return toBudgetView(row)
}

/**
 * Applies a partial change. `check` sees the merged budget before it is stored (the caller validates
 * cross-field rules on the whole, e.g. a scope that now needs a value). Another project's id: not found.
 */
export async function patchBudget({
  db,
  projectId,
  id,
  patch,
  check,
}: {
  db: Db
  projectId: string
  id: string
  patch: Partial<BudgetInput>
  check: (merged: BudgetInput) => void
}): Promise<BudgetView> {
  const current = await getBudget(db, { projectId, id })
  if (!current) throw new NotFoundError('budget', id)
  const view = toBudgetView(current)
  const merged: BudgetInput = { ...view, thresholds: view.thresholds, ...patch }
  check(merged)
  const row: BudgetPatch = toRow(patch)
  if (patch.thresholds !== undefined || patch.limit_action !== undefined) {
    // Stored thresholds already carry the old 100 % step: rebuild from what the caller sent when it sent it.
    const base =
      patch.thresholds ?? view.thresholds.filter((t) => !(t.percent === 100 && t.action === view.limit_action))
    row.thresholds = normalizeThresholds(base, merged.limit_action)
  }
  const updated = await updateBudget(db, { projectId, id, patch: row })
  if (!updated) throw new NotFoundError('budget', id)
  return toBudgetView(updated)
}

export async function removeBudget({ db, projectId, id }: { db: Db; projectId: string; id: string }): Promise<void> {
  if (!(await deleteBudget(db, { projectId, id }))) throw new NotFoundError('budget', id)
}
