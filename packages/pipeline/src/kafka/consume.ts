import { rowRecordOfLine, type ClickHouse, type RowRecord } from '@tollgate/store'
import { storeRows, type DeadLetter, type StoreHooks, type StoreOutcome } from '../batch-store.js'
import type { ConsumedBatch, LogProducer } from './log.js'
import { MESSAGE_VERSION, TOPICS, decodeMessage, encodeMessage } from './topics.js'

export interface SpanConsumerDeps {
  ch: ClickHouse
  /** The process's one producer: dead letters go to `tollgate.spans.dlq` through it. */
  producer: LogProducer
  hooks?: StoreHooks & {
    onBatch?(
      e: StoreOutcome & {
        topic: string
        partition: number
        messages: number
        poison: number
        lag: number
        seconds: number
      },
    ): void
    /**
     * A batch arrived: `pending` is what the group has not committed on its partition (this batch and
     * what is behind it), so the lag grows while the store is down instead of keeping its last value.
     */
    onFetch?(e: { topic: string; partition: number; pending: number }): void
    onStoreError?(err: unknown, attempt: number): void
    onDeadLetter?(rows: number): void
    /** After the store has the batch and before its offsets are committed (tests stop the process here). */
    beforeCommit?(e: { topic: string; partition: number; offset: string }): Promise<void> | void
  }
  /** Backoff between attempts while the store is unreachable: doubles from min to max. */
  backoff?: { minMs: number; maxMs: number }
}

/**
 * The worker's handler for one partition's batch: parse every message with the topic catalog, store
 * the spans with the same batch-store verb as the direct mode (dedup → insert → isolate refused rows),
 * then commit. Never commits past an unstored message:
 * - a message that cannot be parsed, or a row the store refuses on its own, goes to the DLQ (error,
 *   payload, source offset) and the partition moves on; its neighbours are stored;
 * - the store unreachable: the batch is retried with backoff (heartbeats keep the membership), nothing
 *   is committed; if the consumer stops or loses the partition meanwhile, it returns without committing
 *   and the records are read again from the last commit.
 * Redelivery (a crash between insert and commit, a rebalance) is harmless: keys already stored are skipped.
 */
export function createSpanBatchHandler(deps: SpanConsumerDeps): (batch: ConsumedBatch) => Promise<void> {
  const backoff = deps.backoff ?? { minMs: 200, maxMs: 10_000 }
  return async (batch) => {
    const last = batch.records.at(-1)
    if (!last) return
    deps.hooks?.onFetch?.({
      topic: batch.topic,
      partition: batch.partition,
      pending: batch.lag + batch.records.length,
    })
    const started = performance.now()
    const rows: RowRecord[] = []
    const offsetOf = new Map<RowRecord, string>()
    const poison: Array<{ offset: string; payload: string; error: string }> = []
    for (const m of batch.records) {
      try {
        const msg = decodeMessage('spans', m.value)
        const row = rowRecordOfLine(msg.line)
        // The project was the authenticated caller's when the API produced it; a line that says otherwise is not stored.
        if (row.projectId !== msg.project_id)
          throw new Error(`${TOPICS.spans.name}: line project differs from project_id`)
        rows.push(row)
        offsetOf.set(row, m.offset)
      } catch (err) {
        poison.push({ offset: m.offset, payload: m.value?.toString('utf8') ?? '', error: errorText(err) })
      }
    }
    const source = (offset: string) => ({ topic: batch.topic, partition: batch.partition, offset })
    const deadLetter: DeadLetter = {
      async write(refused) {
        await sendDeadLetters(
          deps.producer,
          refused.map(({ row, error }) => ({
            key: row.traceId,
            projectId: row.projectId,
            payload: row.line,
            error,
            source: source(offsetOf.get(row) ?? ''),
          })),
        )
        deps.hooks?.onDeadLetter?.(refused.length)
      },
    }
    let attempt = 0
    let wait = backoff.minMs
    let outcome: StoreOutcome | undefined
    let poisonSent = poison.length === 0
    while (!outcome) {
      attempt++
      try {
        if (!poisonSent) {
          await sendDeadLetters(
            deps.producer,
            poison.map((p) => ({ key: null, payload: p.payload, error: p.error, source: source(p.offset) })),
          )
          poisonSent = true
          deps.hooks?.onDeadLetter?.(poison.length)
        }
        outcome = await storeRows({ ch: deps.ch, deadLetter, hooks: deps.hooks }, rows)
      } catch (err) {
        deps.hooks?.onStoreError?.(err, attempt)
        if (!batch.active()) return
        await sleep(wait)
        wait = Math.min(backoff.maxMs, wait * 2)
        if (!batch.active()) return
        await batch.heartbeat()
      }
    }
    await deps.hooks?.beforeCommit?.(source(last.offset))
    // Stored: commit even when stopping (SIGTERM finishes the batch in flight), not once revoked.
    if (batch.stale()) return
    await batch.commit(last.offset)
    deps.hooks?.onBatch?.({
      ...outcome,
      topic: batch.topic,
      partition: batch.partition,
      messages: batch.records.length,
      poison: poison.length,
      lag: batch.lag,
      seconds: (performance.now() - started) / 1000,
    })
  }
}

async function sendDeadLetters(
  producer: LogProducer,
  letters: Array<{
    key: string | null
    projectId?: string
    payload: string
    error: string
    source: { topic: string; partition: number; offset: string }
  }>,
): Promise<void> {
  const at = new Date().toISOString()
  await producer.send(
    TOPICS.deadLetter.name,
    letters.map((l) => ({
      key: l.key ?? `${l.source.partition}/${l.source.offset}`,
      value: encodeMessage('deadLetter', {
        v: MESSAGE_VERSION,
        error: l.error,
        at,
        source: l.source,
        project_id: l.projectId,
        payload: l.payload,
      }),
    })),
  )
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 500)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
