import { UnavailableError } from '@tollgate/core'
import type { RowRecord } from '@tollgate/store'
import type { StoreOutcome } from './batch-store.js'
import type { Receipt, SpanBatch, SpanTransport, TransportHealth } from './transport.js'
import type { WalRecord, WriteAheadLog } from './wal/log.js'

export interface LogTransportOptions {
  log: WriteAheadLog
  /** Records found in the log at start: stored again first (idempotently). */
  recovered: Array<{ seq: number; rows: RowRecord[] }>
  /** The batch-store verb; throws when the store cannot be reached. */
  store: (rows: RowRecord[]) => Promise<StoreOutcome>
  /** Rows per drained batch (large batches: per-insert overhead dominates small ones). */
  maxBatchRows: number
  /** Wait this long for more rows before draining a small batch. */
  lingerMs: number
  /** Acknowledged-but-unstored rows beyond which new batches are refused (503), bounding memory. */
  maxBacklogRows: number
  /** Refuse new batches once the store has been failing this long: the log should not fill for hours. */
  refuseAfterStoreFailingMs: number
  onStored?(outcome: StoreOutcome & { seconds: number }): void
  onStoreError?(err: unknown, attempt: number): void
}

interface Entry {
  seq: number
  rows: RowRecord[]
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Direct mode: append to the write-ahead log (the 202 waits for that), then a single background
 * drainer stores large batches through the batch-store verb and releases the log only after the
 * store committed. One drainer per log is what makes dedup-before-insert exact.
 */
export class LogTransport implements SpanTransport {
  readonly name = 'direct'
  private queue: Entry[] = []
  private backlog = 0
  private storedSeq = 0
  private waiters: Array<{ seq: number; resolve: () => void }> = []
  private failingSince: number | null = null
  private wake: (() => void) | null = null
  private closing = false
  private stopped = false
  private readonly loop: Promise<void>
  /**
   * Resolves once every record recovered from the log at open is stored (at once if there were none).
   * A crash between a spans insert and its views' inserts leaves the spans stored and the derived
   * tables short; the replay then finds the keys stored and inserts nothing, so the server refreshes
   * the derived tables after it (apps/api/src/server.ts).
   */
  readonly replayed: Promise<void>

  constructor(private readonly opts: LogTransportOptions) {
    for (const r of opts.recovered) this.enqueue(r)
    this.storedSeq = (opts.recovered[0]?.seq ?? opts.log.nextSequence) - 1
    this.replayed = this.storedThrough(opts.recovered[opts.recovered.length - 1]?.seq ?? this.storedSeq)
    this.loop = this.drainLoop()
  }

  /** Turns recovered log records back into entries (each payload is the batch's lines). */
  static entriesOf(
    records: WalRecord[],
    parse: (line: string) => RowRecord,
  ): Array<{ seq: number; rows: RowRecord[] }> {
    return records.map((r) => ({ seq: r.seq, rows: r.payload.toString('utf8').split('\n').filter(Boolean).map(parse) }))
  }

  async submit(batch: SpanBatch): Promise<Receipt> {
    if (this.closing) throw new UnavailableError('ingest (shutting down)', 5)
    const failingFor = this.failingSince === null ? 0 : Date.now() - this.failingSince
    if (failingFor > this.opts.refuseAfterStoreFailingMs) throw new UnavailableError('clickhouse', 5)
    if (this.backlog + batch.rows.length > this.opts.maxBacklogRows)
      throw new UnavailableError('ingest backlog (full)', 1)
    const seq = await this.opts.log.append(batch.rows.map((r) => r.line).join('\n'))
    this.enqueue({ seq, rows: batch.rows })
    return { stored: () => this.storedThrough(seq) }
  }

  private enqueue(e: Entry): void {
    // Appends resolve in log order; keep the queue in that order even if continuations interleave.
    let at = this.queue.length
    while (at > 0 && (this.queue[at - 1]?.seq ?? 0) > e.seq) at--
    this.queue.splice(at, 0, e)
    this.backlog += e.rows.length
    this.wake?.()
  }

  private storedThrough(seq: number): Promise<void> {
    if (seq <= this.storedSeq) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ seq, resolve }))
  }

  health(): TransportHealth {
    return {
      backlogRows: this.backlog,
      logBytes: this.opts.log.bytes,
      storeFailingForMs: this.failingSince === null ? 0 : Date.now() - this.failingSince,
    }
  }

  private async drainLoop(): Promise<void> {
    let attempt = 0
    while (!this.stopped) {
      if (this.queue.length === 0) {
        if (this.closing) return
        await new Promise<void>((r) => (this.wake = r))
        this.wake = null
        continue
      }
      if (!this.closing && this.backlog < this.opts.maxBatchRows && attempt === 0) await sleep(this.opts.lingerMs)
      const take = this.takeCount()
      const entries = this.queue.slice(0, take)
      const rows = entries.flatMap((e) => e.rows)
      const started = performance.now()
      try {
        const outcome = await this.opts.store(rows)
        attempt = 0
        this.failingSince = null
        this.queue.splice(0, take)
        this.backlog -= rows.length
        const last = entries[entries.length - 1]?.seq ?? this.storedSeq
        await this.opts.log.release(last)
        this.markStored(last)
        this.opts.onStored?.({ ...outcome, seconds: (performance.now() - started) / 1000 })
      } catch (err) {
        attempt++
        this.failingSince ??= Date.now()
        this.opts.onStoreError?.(err, attempt)
        if (this.stopped) return
        // Back off, 100 ms doubling to 5 s; the rows stay in the log and in the queue.
        await sleep(Math.min(5000, 100 * 2 ** Math.min(attempt - 1, 6)))
      }
    }
  }

  /** Whole entries up to maxBatchRows; a single larger entry goes alone. */
  private takeCount(): number {
    let n = 0
    let rows = 0
    for (const e of this.queue) {
      if (n > 0 && rows + e.rows.length > this.opts.maxBatchRows) break
      n++
      rows += e.rows.length
    }
    return n
  }

  private markStored(seq: number): void {
    this.storedSeq = seq
    const ready = this.waiters.filter((w) => w.seq <= seq)
    this.waiters = this.waiters.filter((w) => w.seq > seq)
    for (const w of ready) w.resolve()
  }

  async close(deadlineMs = 10_000): Promise<void> {
    this.closing = true
    this.wake?.()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), deadlineMs)))
    const result = await Promise.race([this.loop.then(() => 'drained' as const), timeout])
    clearTimeout(timer)
    // Past the deadline the rest stays in the log and is stored at the next start.
    this.stopped = true
    this.wake?.()
    if (result === 'drained') await this.loop
    await this.opts.log.close()
  }
}
