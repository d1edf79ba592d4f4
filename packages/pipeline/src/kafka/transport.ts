import { UnavailableError } from '@tollgate/core'
import { findStoredSpanKeys, spanKeyString, type ClickHouse, type RowRecord } from '@tollgate/store'
import type { Receipt, SpanBatch, SpanTransport, TransportHealth } from '../transport.js'
import { createKafkaLog, type KafkaLogOptions } from './kafkajs.js'
import type { LogProducer, SpanLog } from './log.js'
import { MESSAGE_VERSION, TOPICS, encodeMessage } from './topics.js'

export interface KafkaTransportOptions {
  log: SpanLog
  /** For `Receipt.stored()` only: the API never writes spans in Kafka mode. */
  ch: ClickHouse
  /** A submit not acknowledged by then answers 503 ("maybe sent": storage deduplicates a retry). */
  sendTimeoutMs?: number
  /** Rows waiting for the producer beyond this are refused at once (503), so memory stays bounded. */
  maxPendingRows?: number
  /** Rows per produce request: concurrent submits share one request, sent one at a time. */
  maxSendRows?: number
  /** How long `Receipt.stored()` polls ClickHouse before it gives up with UnavailableError. */
  storedWaitMs?: number
  storedPollMs?: number
  hooks?: { onSend?(e: { rows: number; seconds: number; ok: boolean; error?: unknown }): void }
}

interface Pending {
  rows: RowRecord[]
  settled: boolean
  resolve(): void
  reject(err: Error): void
}

/**
 * Kafka mode's transport: each accepted span becomes one message of `tollgate.spans.v1` keyed by its
 * trace id (one partition, so one worker, sees every delivery of a key in order). Sends are serialised
 * through the process's one idempotent producer; submits waiting meanwhile are coalesced into the next
 * request (a group commit, as the direct mode's log does). `submit` resolves once the broker
 * acknowledged with acks=-1 and rejects with UnavailableError when the broker refuses, is unreachable
 * or slower than `sendTimeoutMs`; such a batch may still have been written, which is safe because the
 * batch-store verb skips keys already stored.
 */
export class KafkaTransport implements SpanTransport {
  readonly name = 'kafka'
  private readonly producer: LogProducer
  private queue: Pending[] = []
  private queuedRows = 0
  private sending: Promise<void> | null = null
  private failingSince = 0
  private closed = false
  private readonly o: Required<Omit<KafkaTransportOptions, 'hooks'>> & Pick<KafkaTransportOptions, 'hooks'>

  constructor(opts: KafkaTransportOptions) {
    this.o = {
      ...opts,
      sendTimeoutMs: opts.sendTimeoutMs ?? 5000,
      maxPendingRows: opts.maxPendingRows ?? 100_000,
      maxSendRows: opts.maxSendRows ?? 10_000,
      storedWaitMs: opts.storedWaitMs ?? 60_000,
      storedPollMs: opts.storedPollMs ?? 100,
    }
    this.producer = opts.log.producer()
  }

  submit(batch: SpanBatch): Promise<Receipt> {
    if (this.closed) return Promise.reject(new UnavailableError('kafka (shutting down)', 1))
    if (this.queuedRows + batch.rows.length > this.o.maxPendingRows)
      return Promise.reject(new UnavailableError('kafka (producer queue full)', 1))
    return new Promise<Receipt>((resolve, reject) => {
      const item: Pending = {
        rows: batch.rows,
        settled: false,
        resolve: () => settle(() => resolve({ stored: () => this.stored(batch.projectId, batch.rows) })),
        reject: (err) => settle(() => reject(err)),
      }
      const timer = setTimeout(
        () => item.reject(new UnavailableError('kafka (no acknowledgement in time)', 2)),
        this.o.sendTimeoutMs,
      )
      const settle = (f: () => void): void => {
        if (item.settled) return
        item.settled = true
        clearTimeout(timer)
        f()
      }
      this.queue.push(item)
      this.queuedRows += batch.rows.length
      this.kick()
    })
  }

  private kick(): void {
    this.sending ??= this.drain().finally(() => {
      this.sending = null
      if (this.queue.length > 0) this.kick()
    })
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const taken: Pending[] = []
      let rows = 0
      while (
        this.queue.length > 0 &&
        (taken.length === 0 || rows + (this.queue[0]?.rows.length ?? 0) <= this.o.maxSendRows)
      ) {
        const item = this.queue.shift()
        if (!item) break
        this.queuedRows -= item.rows.length
        // A submit that already answered 503 is not sent: its caller will retry it.
        if (item.settled) continue
        taken.push(item)
        rows += item.rows.length
      }
      if (taken.length === 0) continue
      const started = performance.now()
      try {
        await this.producer.send(
          TOPICS.spans.name,
          taken.flatMap((t) =>
            t.rows.map((r) => ({
              key: r.traceId,
              value: encodeMessage('spans', { v: MESSAGE_VERSION, project_id: r.projectId, line: r.line }),
            })),
          ),
        )
        this.failingSince = 0
        this.o.hooks?.onSend?.({ rows, seconds: (performance.now() - started) / 1000, ok: true })
        for (const t of taken) t.resolve()
      } catch (err) {
        if (this.failingSince === 0) this.failingSince = Date.now()
        this.o.hooks?.onSend?.({ rows, seconds: (performance.now() - started) / 1000, ok: false, error: err })
        for (const t of taken) t.reject(new UnavailableError('kafka', 2, { cause: err }))
      }
    }
  }

  /**
   * Read-your-writes in Kafka mode: polls ClickHouse (`span_keys`, the dedup lookup) every
   * `storedPollMs` until every key of the batch is there, and gives up after `storedWaitMs` with an
   * UnavailableError. A row the worker dead-lettered never appears, so it waits out the bound.
   */
  private async stored(projectId: string, rows: RowRecord[]): Promise<void> {
    const deadline = Date.now() + this.o.storedWaitMs
    let waiting = rows
    for (;;) {
      const found = await findStoredSpanKeys(this.o.ch, projectId, waiting).catch(() => new Set<string>())
      waiting = waiting.filter((r) => !found.has(spanKeyString(r)))
      if (waiting.length === 0) return
      if (Date.now() >= deadline) throw new UnavailableError('worker (spans are in Kafka, not yet stored)', 5)
      await new Promise((r) => setTimeout(r, this.o.storedPollMs))
    }
  }

  health(): TransportHealth {
    // The backlog behind the broker is the worker's consumer lag (its /metrics), not the API's.
    return {
      backlogRows: this.queuedRows,
      logBytes: 0,
      storeFailingForMs: this.failingSince === 0 ? 0 : Date.now() - this.failingSince,
    }
  }

  /** Stops taking submits, lets queued ones be sent until `deadlineMs`, then disconnects the producer. */
  async close(deadlineMs = 10_000): Promise<void> {
    this.closed = true
    const until = Date.now() + deadlineMs
    while ((this.sending || this.queue.length > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    await this.producer.close()
  }
}

/**
 * The API's Kafka transport from its configuration: `brokers` as in KAFKA_BROKERS (comma-separated
 * host:port). The topics are created by the worker (apps/worker) at its start, with the configured
 * partitions and replication; until they exist, submits answer 503.
 */
export function openKafkaTransport(opts: {
  brokers: string
  clientId: string
  ch: ClickHouse
  sendTimeoutMs?: number
  onLog?: KafkaLogOptions['onLog']
  hooks?: KafkaTransportOptions['hooks']
}): KafkaTransport {
  const log = createKafkaLog({
    brokers: opts.brokers
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    clientId: opts.clientId,
    // Ingest answers within the send timeout; a broker unreachable for longer is a 503, not a hang.
    connectionTimeoutMs: 2000,
    requestTimeoutMs: Math.max(1000, opts.sendTimeoutMs ?? 5000),
    onLog: opts.onLog,
  })
  return new KafkaTransport({ log, ch: opts.ch, sendTimeoutMs: opts.sendTimeoutMs, hooks: opts.hooks })
}
