import { DEFAULT_SPAN_LIMITS, normalizeSpan } from '@tollgate/core'
import { createKafkaLog, decodeMessage, type ConsumedRecord, type SpanLog } from '@tollgate/pipeline'
import { runQuery, spanRowRecord, type ClickHouse, type RowRecord } from '@tollgate/store'
import { z } from 'zod'

let counter = 0
const runTag = Math.floor(Math.random() * 0xffffff)
const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0').slice(-len)

/** A fresh trace id per call, so tests in one file never see each other's spans. */
export function traceIds(): { traceId: string; spanId: (i: number) => string } {
  const n = ++counter
  return { traceId: hex(runTag, 6) + hex(n, 10) + hex(Date.now(), 16), spanId: (i) => hex(n, 8) + hex(i, 8) }
}

export function rawSpan(traceId: string, spanId: string): Record<string, unknown> {
  const now = Date.now()
  return {
    trace_id: traceId,
    span_id: spanId,
    name: 'openai.chat.completions',
    kind: 'llm',
    start_time: new Date(now - 1000).toISOString(),
    end_time: new Date(now).toISOString(),
    status: 'ok',
    provider: 'openai',
    model: 'gpt-4o',
    operation: 'chat',
    usage: { input_tokens: 100, output_tokens: 20 },
  }
}

/** Rows as the ingest verb serialises them (the bytes the API produces to Kafka). */
export function rowsOf(
  projectId: string,
  traceId: string,
  spanId: (i: number) => string,
  n: number,
  from = 0,
): RowRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const r = normalizeSpan(rawSpan(traceId, spanId(from + i)), DEFAULT_SPAN_LIMITS)
    if (!r.ok) throw new Error(r.error)
    return spanRowRecord(projectId, r.span, {
      cost: null,
      cost_status: 'unknown',
      price_source: '',
      keep_text: true,
      pii_detected: false,
      pii_types: [],
      injection_attempt: false,
      sampled: false,
      prompt_sha256: '',
      ingested_us: Date.now() * 1000,
    })
  })
}

/** Stored rows per span id, read raw (no FINAL, no dedup): a doubled span shows as 2. */
export async function storedCounts(
  ch: ClickHouse,
  projectId: string,
  traceIds: string[],
): Promise<Map<string, number>> {
  const rows = await runQuery(ch, {
    name: 'test.stored_counts',
    query: `SELECT trace_id, span_id, count() AS n FROM ${ch.table('spans')}
            WHERE project_id = {project:String} AND trace_id IN {traces:Array(String)} GROUP BY trace_id, span_id`,
    params: { project: projectId, traces: traceIds },
    schema: z.object({ trace_id: z.string(), span_id: z.string(), n: z.coerce.number() }),
  })
  return new Map(rows.map((r) => [`${r.trace_id}/${r.span_id}`, r.n]))
}

/** Polls until `want` distinct keys are stored (or the timeout), then returns the raw counts. */
export async function waitStored(
  ch: ClickHouse,
  projectId: string,
  traceIds: string[],
  want: number,
  timeoutMs = 60_000,
): Promise<Map<string, number>> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const counts = await storedCounts(ch, projectId, traceIds)
    if (counts.size >= want || Date.now() > until) return counts
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Reads a topic from its start with a throwaway consumer group until `n` records arrived. */
export async function readTopic(
  brokers: string,
  topic: string,
  done: number | ((seen: ConsumedRecord[]) => boolean),
  timeoutMs = 30_000,
): Promise<ConsumedRecord[]> {
  const enough = typeof done === 'number' ? (seen: ConsumedRecord[]) => seen.length >= done : done
  const log: SpanLog = createKafkaLog({ brokers: [brokers], clientId: 'test-reader' })
  const consumer = log.consumer(`test-reader-${Date.now()}-${Math.random()}`, [topic])
  const seen: ConsumedRecord[] = []
  await consumer.run(async (batch) => {
    seen.push(...batch.records)
    await batch.commit(batch.records.at(-1)?.offset ?? '0')
  })
  const until = Date.now() + timeoutMs
  while (!enough(seen) && Date.now() < until) await new Promise((r) => setTimeout(r, 100))
  await consumer.close()
  return seen
}

export const deadLetterOf = (r: ConsumedRecord) => decodeMessage('deadLetter', r.value)

/**
 * Polls a trace's spans over HTTP until `n` are listed. Reads are eventually consistent with the
 * store: the rollup refresh timer swaps trace_index days in and out while it recomputes them.
 */
export async function waitForTraceSpans(url: string, traceId: string, n: number, timeoutMs = 30_000): Promise<number> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const res = await fetch(`${url}/api/traces/${traceId}/spans`)
    const count =
      res.status === 200 ? ((await res.json()) as { spans: unknown[] }).spans.length : (await res.arrayBuffer(), 0)
    if (count >= n || Date.now() > until) return count
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Waits until `counted()` reaches `n` (worker stats move after the commit, a moment after the rows are visible). */
export async function waitCount(counted: () => number, n: number, timeoutMs = 30_000): Promise<number> {
  const until = Date.now() + timeoutMs
  while (counted() < n && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
  return counted()
}
