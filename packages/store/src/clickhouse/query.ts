import type { z } from 'zod'
import { bindParams } from './bind.js'
import type { ClickHouse } from './client.js'

export interface NamedQuery<T extends z.ZodType> {
  /** Shows up in logs and in errors: which query failed, never its values. */
  name: string
  query: string
  params: Record<string, unknown>
  schema: T
}

/**
 * Runs a parameterised read (`{name:Type}` placeholders) on a read connection and validates every
 * row. Embedded: the parameters are bound as typed literals (bind.ts) so the read stays off chDB's
 * process-wide parameter chain; a server binds them itself.
 */
export async function runQuery<T extends z.ZodType>(ch: ClickHouse, q: NamedQuery<T>): Promise<z.infer<T>[]> {
  const rows = await ch.read(async (client) => {
    const result =
      ch.mode === 'chdb'
        ? await client.query({ query: bindParams(q.query, q.params), format: 'JSONEachRow' })
        : await client.query({ query: q.query, query_params: q.params, format: 'JSONEachRow' })
    return result.json()
  })
  return rows.map((row, i) => {
    const parsed = q.schema.safeParse(row)
    if (!parsed.success)
      throw new Error(`query ${q.name}: row ${i} does not match its schema: ${parsed.error.issues[0]?.message ?? ''}`)
    return parsed.data
  })
}

/** A statement that returns nothing (INSERT … SELECT, ALTER), bound the same way, on the write connection. */
export async function runCommand(
  ch: ClickHouse,
  q: { name: string; query: string; params: Record<string, unknown> },
): Promise<void> {
  if (ch.mode === 'chdb') await ch.client.command({ query: bindParams(q.query, q.params) })
  else await ch.client.command({ query: q.query, query_params: q.params })
}
