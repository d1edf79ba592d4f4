// Every query in this file takes the project id as a required parameter and filters on it first.
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

/** The SQL condition of one scope; `i` names its parameters. */
function condition(s: SpendScope, i: number, params: Record<string, unknown>): string {
  params[`f${i}`] = microsToClickHouse(s.fromUs)
  params[`v${i}`] = s.scopeValue ?? ''
  const since = `start_time >= {f${i}:DateTime64(6, 'UTC')}`
  const value = `{v${i}:String}`
  // A tag read with tags[k] is '' when absent; mapContains keeps '' from matching a missing tag.
  const tagIs = (key: string) => `(mapContains(tags, '${key}') AND tags['${key}'] = ${value})`
  switch (s.scope) {
    case 'global':
      return since
    case 'agent':
      return `${since} AND (agent_id = ${value} OR agent_name = ${value})`
    case 'tenant':
      return `${since} AND (${tagIs('tenant')} OR (NOT mapContains(tags, 'tenant') AND ${tagIs('tenant_id')}))`
    case 'customer':
      return `${since} AND (${tagIs('customer')} OR (NOT mapContains(tags, 'customer') AND ${tagIs('customer_id')}))`
    case 'feature':
      return `${since} AND ${tagIs('feature')}`
    case 'tag':
      params[`k${i}`] = s.tagKey ?? ''
      return `${since} AND mapContains(tags, {k${i}:String}) AND tags[{k${i}:String}] = ${value}`
  }
}

/**
 * Spend (USD and input + output tokens) of each scope, from the project's deduplicated spans, in one
 * pass over the earliest window asked for. Same order as `scopes`.
 */
export async function spendByScope(
  ch: ClickHouse,
  projectId: string,
  scopes: SpendScope[],
  toUs: number,
): Promise<Spend[]> {
  if (scopes.length === 0) return []
  const params: Record<string, unknown> = {
    project: projectId,
    from: microsToClickHouse(Math.min(...scopes.map((s) => s.fromUs))),
    to: microsToClickHouse(toUs),
  }
  const columns = scopes.flatMap((s, i) => {
    const c = condition(s, i, params)
    return [`sumIf(cost_total_usd, ${c}) AS usd_${i}`, `sumIf(input_tokens + output_tokens, ${c}) AS tokens_${i}`]
  })
  const [row] = await runQuery(ch, {
    name: 'spend.by_scope',
    query: `SELECT ${columns.join(', ')} FROM ${ch.table('spans')} FINAL
            WHERE project_id = {project:String} AND start_time >= {from:DateTime64(6, 'UTC')} AND start_time < {to:DateTime64(6, 'UTC')}
            SETTINGS output_format_json_quote_64bit_integers = 0`,
    params,
    schema: z.record(z.string(), z.coerce.number()),
  })
  return scopes.map((_, i) => ({ usd: row?.[`usd_${i}`] ?? 0, tokens: row?.[`tokens_${i}`] ?? 0 }))
}
