import { UnavailableError } from '@tollgate/core'

export interface GroupCommitOptions<Row> {
  write: (rows: Row[]) => Promise<void>
  /** Flush as soon as this many rows wait. */
  maxBatchRows: number
  /** Otherwise flush this long after the first row arrived. */
  lingerMs: number
  /** Rows waiting or in flight beyond which new work is refused (back-pressure, not memory growth). */
  maxQueuedRows: number
  /** Name of the store, for errors. */
  dependency: string
  retryAfterS: number
  /** Told about every insert (for metrics); must not throw. */
  onWrite?: (write: { rows: number; seconds: number; ok: boolean }) => void
}

interface Waiter<Row> {
  rows: Row[]
  resolve: () => void
  reject: (err: unknown) => void
}

/**
 * Group commit: concurrent requests share one INSERT. Each caller's promise settles when the insert
 * that carried its rows has committed (or failed), so a 2xx is never sent for rows not yet stored.
 * One insert is in flight at a time; rows arriving meanwhile form the next batch.
 */
export class GroupCommitWriter<Row> {
  private pending: Array<Waiter<Row>> = []
  private queuedRows = 0
  private timer: NodeJS.Timeout | null = null
  private flushing: Promise<void> | null = null
  private closed = false

  constructor(private readonly opts: GroupCommitOptions<Row>) {}

  get queued(): number {
    return this.queuedRows
  }

  write(rows: Row[]): Promise<void> {
    if (this.closed) return Promise.reject(new UnavailableError('ingest (shutting down)', this.opts.retryAfterS))
    if (rows.length === 0) return Promise.resolve()
    if (this.queuedRows + rows.length > this.opts.maxQueuedRows) {
      return Promise.reject(new UnavailableError('ingest queue (full)', 1))
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ rows, resolve, reject })
      this.queuedRows += rows.length
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.flushing) return // the running flush loop picks new waiters up
    // With no insert in flight, every queued row is a pending one.
    if (this.queuedRows >= this.opts.maxBatchRows) {
      this.startFlush()
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startFlush(), this.opts.lingerMs)
    }
  }

  private startFlush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.flushing) return
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = null
      if (this.pending.length > 0) this.schedule()
    })
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.takeGroup()
      const rows = group.flatMap((w) => w.rows)
      const started = performance.now()
      try {
        await this.opts.write(rows)
        this.opts.onWrite?.({ rows: rows.length, seconds: (performance.now() - started) / 1000, ok: true })
        for (const w of group) w.resolve()
      } catch (err) {
        this.opts.onWrite?.({ rows: rows.length, seconds: (performance.now() - started) / 1000, ok: false })
        const error = new UnavailableError(this.opts.dependency, this.opts.retryAfterS, { cause: err })
        for (const w of group) w.reject(error)
      } finally {
        this.queuedRows -= rows.length
      }
    }
  }

  /** Whole waiters up to maxBatchRows; a single waiter larger than that goes alone. */
  private takeGroup(): Array<Waiter<Row>> {
    let count = 0
    let n = 0
    for (const w of this.pending) {
      if (count > 0 && n + w.rows.length > this.opts.maxBatchRows) break
      count++
      n += w.rows.length
    }
    return this.pending.splice(0, count)
  }

  /** Refuse new work and wait until everything taken has been written or failed. */
  async close(): Promise<void> {
    this.closed = true
    if (this.pending.length > 0) this.startFlush()
    while (this.flushing) await this.flushing
  }
}
