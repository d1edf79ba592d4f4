// Every query in this file takes the project id as a required parameter and filters on it first.
//
// Spend comes from the hourly rollups (`cost_hourly`, `cost_hourly_tag`) for the whole UTC hours of a
// window and from the deduplicated spans (`spans FINAL`) for its partial hours (the hour in progress, a
// rolling window's first hour). Tenant and customer scopes always read spans: a span counts under
// `tenant_id` only when it has no `tenant` tag, which a rollup per tag key cannot tell.
import { z } from 'zod'
import { microsToClickHouse } from '@tollgate/core'
import type { ClickHouse } from './client.js'
import { runQuery } from './query.js'

/** Which spans a budget counts: the server side of @tollgate/policy's `matches`. */
export interface SpendScope {
  scope: 'global' | 'agent' | 'tenant' | 'customer' | 'feature' | 'tag'
  scopeValue?: string | null | undefined
  tagKey?: string | null | undefined
  /** Spans starting at or after this instant (epoch µs) and before the query's `toUs`. */
  fromUs: number
}

export interface Spend {
  usd: number
  tokens: number
}

export interface SpendOptions {
  /** `auto`: rollups for whole hours where the scope allows; `spans`: raw spans only (tests, benchmarks). */
  source?: 'auto' | 'spans' | undefined
  /**
   * Spans at or after the start of this instant's hour are always read raw: the hour in progress is where
   * fresh spans land, and a span becomes visible in `spans` a moment before its view's row in a rollup.
   */
  nowUs?: number | undefined
}

const HOUR_US = 3_600_000_000
type Range = [fromUs: number, toUs: number]

/** The rollup that can answer a scope exactly, if any. */
const ROLLUP: Partial<Record<SpendScope['scope'], 'cost_hourly' | 'cost_hourly_tag'>> = {
  global: 'cost_hourly',
  agent: 'cost_hourly',
  feature: 'cost_hourly_tag',
  tag: 'cost_hourly_tag',
}

/** Which part of [fromUs, toUs) each source answers: whole hours from a rollup, the rest from spans. */
function split(
  s: SpendScope,
  toUs: number,
  { source = 'auto', nowUs = toUs }: SpendOptions,
): { raw: Range[]; rollup?: Range } {
  const a = Math.ceil(s.fromUs / HOUR_US) * HOUR_US
  const b = Math.floor(Math.min(toUs, nowUs) / HOUR_US) * HOUR_US
  if (source === 'spans' || ROLLUP[s.scope] === undefined || a >= b) return { raw: [[s.fromUs, toUs]] }
  const raw: Range[] = []
  if (s.fromUs < a) raw.push([s.fromUs, a])
  if (b < toUs) raw.push([b, toUs])
  return { raw, rollup: [a, b] }
}

/** `column` in any of `ranges`, their bounds bound as parameters named after `name`. */
function inRanges(column: string, ranges: Range[], name: string, params: Record<string, unknown>): string {
  if (ranges.length === 0) return '0'
  return `(${ranges
    .map(([from, to], j) => {
      params[`${name}f${j}`] = microsToClickHouse(from)
      params[`${name}t${j}`] = microsToClickHouse(to)
      return `(${column} >= {${name}f${j}:DateTime64(6, 'UTC')} AND ${column} < {${name}t${j}:DateTime64(6, 'UTC')})`
    })
    .join(' OR ')})`
}

/** The SQL condition selecting one scope's spans (not its time); `i` names its parameters. */
function spanScope(s: SpendScope, i: number, params: Record<string, unknown>): string {
  params[`v${i}`] = s.scopeValue ?? ''
  const value = `{v${i}:String}`
  // A tag read with tags[k] is '' when absent; mapContains keeps '' from matching a missing tag.
  const tagIs = (key: string) => `(mapContains(tags, '${key}') AND tags['${key}'] = ${value})`
  switch (s.scope) {
    case 'global':
      return '1'
    case 'agent':
      return `(agent_id = ${value} OR agent_name = ${value})`
    case 'tenant':
      return `(${tagIs('tenant')} OR (NOT mapContains(tags, 'tenant') AND ${tagIs('tenant_id')}))`
    case 'customer':
      return `(${tagIs('customer')} OR (NOT mapContains(tags, 'customer') AND ${tagIs('customer_id')}))`
    case 'feature':
      return tagIs('feature')
    case 'tag':
      params[`k${i}`] = s.tagKey ?? ''
      return `(mapContains(tags, {k${i}:String}) AND tags[{k${i}:String}] = ${value})`
  }
}

/** The same scope over a rollup's rows (`cost_hourly`: agent columns; `cost_hourly_tag`: one row per tag). */
function rollupScope(s: SpendScope, i: number, params: Record<string, unknown>): string {
  params[`v${i}`] = s.scopeValue ?? ''
  const value = `{v${i}:String}`
  switch (s.scope) {
    case 'agent':
      return `(agent_id = ${value} OR agent_name = ${value})`
    case 'feature':
      return `(tag_key = 'feature' AND tag_value = ${value})`
    case 'tag':
      params[`k${i}`] = s.tagKey ?? ''
      return `(tag_key = {k${i}:String} AND tag_value = ${value})`
    default:
      return '1'
  }
}

const Sums = z.record(z.string(), z.coerce.number())

/**
 * Spend (USD and input + output tokens) of each scope over [its fromUs, toUs), from the project's
 * deduplicated spans: whole hours from the rollups where the scope allows (see the top of this file),
 * the rest in one pass over the spans of the partial hours (or of the whole window, for scopes no
 * rollup answers). At most three queries, run concurrently. Same order as `scopes`.
 */
export async function spendByScope(
  ch: ClickHouse,
  projectId: string,
  scopes: SpendScope[],
  toUs: number,
  options: SpendOptions = {},
): Promise<Spend[]> {
  if (scopes.length === 0) return []
  const plans = scopes.map((s) => split(s, toUs, options))
  const out = scopes.map(() => ({ usd: 0, tokens: 0 }))
  const add = (row: Record<string, number> | undefined, i: number) => {
    const o = out[i]
    if (!row || !o) return
    o.usd += row[`usd_${i}`] ?? 0
    o.tokens += row[`tokens_${i}`] ?? 0
  }

  const reads: Promise<void>[] = []
  const rawIdx = plans.flatMap((p, i) => (p.raw.length ? [i] : []))
  if (rawIdx.length) {
    const params: Record<string, unknown> = { project: projectId }
    const columns = rawIdx.flatMap((i) => {
      const c = `${spanScope(scopes[i] as SpendScope, i, params)} AND ${inRanges('start_time', plans[i]?.raw ?? [], `r${i}`, params)}`
      return [`sumIf(cost_total_usd, ${c}) AS usd_${i}`, `sumIf(input_tokens + output_tokens, ${c}) AS tokens_${i}`]
    })
    const all = inRanges('start_time', mergeRanges(rawIdx.flatMap((i) => plans[i]?.raw ?? [])), 'w', params)
    reads.push(
      runQuery(ch, {
        name: 'spend.by_scope',
        query: `SELECT ${columns.join(', ')} FROM ${ch.table('spans')} FINAL
                WHERE project_id = {project:String} AND ${all}
                SETTINGS output_format_json_quote_64bit_integers = 0`,
        params,
        schema: Sums,
      }).then(([row]) => rawIdx.forEach((i) => add(row, i))),
    )
  }
  for (const table of ['cost_hourly', 'cost_hourly_tag'] as const) {
    const idx = plans.flatMap((p, i) => (p.rollup && ROLLUP[scopes[i]?.scope ?? 'global'] === table ? [i] : []))
    if (!idx.length) continue
    const params: Record<string, unknown> = { project: projectId }
    const columns = idx.flatMap((i) => {
      const c = `${rollupScope(scopes[i] as SpendScope, i, params)} AND ${inRanges('hour', [plans[i]?.rollup ?? [0, 0]], `h${i}`, params)}`
      return [`sumIf(cost_usd, ${c}) AS usd_${i}`, `sumIf(input_tokens + output_tokens, ${c}) AS tokens_${i}`]
    })
    const all = inRanges('hour', mergeRanges(idx.map((i) => plans[i]?.rollup ?? [0, 0])), 'w', params)
    reads.push(
      runQuery(ch, {
        name: `spend.by_scope_${table}`,
        query: `SELECT ${columns.join(', ')} FROM ${ch.table(table)}
                WHERE project_id = {project:String} AND ${all}
                SETTINGS output_format_json_quote_64bit_integers = 0`,
        params,
        schema: Sums,
      }).then(([row]) => idx.forEach((i) => add(row, i))),
    )
  }
  await Promise.all(reads)
  return out
}

/** Overlapping or touching ranges joined, so the WHERE names each instant once. */
function mergeRanges(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0])
  const out: Range[] = []
  for (const r of sorted) {
    const last = out[out.length - 1]
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1])
    else out.push([r[0], r[1]])
  }
  return out
}
