import type { z } from 'zod'
import type { ClickHouse } from './client.js'

export interface NamedQuery<T extends z.ZodType> {
  /** Shows up in logs and in errors: which query failed, never its values. */
  name: string
  query: string
  params: Record<string, unknown>
  schema: T
}

/** Runs a parameterised query (`{name:Type}` placeholders) and validates every row. */
export async function runQuery<T extends z.ZodType>(ch: ClickHouse, q: NamedQuery<T>): Promise<z.infer<T>[]> {
  const result = await ch.client.query({ query: q.query, query_params: q.params, format: 'JSONEachRow' })
  const rows = await result.json()
  return rows.map((row, i) => {
    const parsed = q.schema.safeParse(row)
    if (!parsed.success) throw new Error(`query ${q.name}: row ${i} does not match its schema: ${parsed.error.issues[0]?.message ?? ''}`)
    return parsed.data as z.infer<T>
  })
}
