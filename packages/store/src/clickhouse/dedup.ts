// Every query in this file takes the project id as a required parameter and filters on it first.
import { z } from 'zod'
import type { ClickHouse } from './client.js'
import { runQuery } from './query.js'

/** The identity of a span: counted once per project, however often and wherever it is delivered. */
export interface SpanKey {
  traceId: string
  spanId: string
}

export const spanKeyString = (k: SpanKey): string => `${k.traceId}/${k.spanId}`

const KeyRow = z.object({ trace_id: z.string(), span_id: z.string() })

/**
 * Which of `keys` are already stored for `projectId`, as `trace_id/span_id` strings. The batch-store
 * verb calls this before every insert so a redelivery (another day or month, another replica, a WAL
 * replay) is never inserted twice. Reads `span_keys` (migrations/clickhouse/0003): three narrow
 * columns sorted by `(project_id, trace_id, span_id)`, fed by a view on every insert into spans, so a
 * key is visible here as soon as the insert that stored it has returned. The lookup is one primary-key
 * range per trace id per monthly part, whatever the size of the spans. Limits: docs/architecture.md,
 * "Idempotency".
 */
export async function findStoredSpanKeys(ch: ClickHouse, projectId: string, keys: SpanKey[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set()
  const traceIds = [...new Set(keys.map((k) => k.traceId))]
  const rows = await runQuery(ch, {
    name: 'spans.stored_keys',
    query: `SELECT DISTINCT trace_id, span_id FROM ${ch.table('span_keys')}
            WHERE project_id = {project:String} AND trace_id IN {traces:Array(String)}`,
    params: { project: projectId, traces: traceIds },
    schema: KeyRow,
  })
  const wanted = new Set(keys.map(spanKeyString))
  const found = new Set<string>()
  for (const r of rows) {
    const key = `${r.trace_id}/${r.span_id}`
    if (wanted.has(key)) found.add(key)
  }
  return found
}
