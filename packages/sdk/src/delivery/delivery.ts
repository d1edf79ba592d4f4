import { SERVER_MAX_BYTES } from '../config.js'
import type { Logger } from '../log.js'
import type { Span } from '../types.js'
import type { SendOutcome, Sender } from './sender.js'
import type { DeliveryState } from './health.js'
import { DeliveryHealth } from './health.js'
import type { Leased, SpanStore } from './store.js'
import { backoffMs, chunkByBytes, sleepUntil } from './batching.js'

export type { DeliveryState } from './health.js'
export { backoffMs, chunkByBytes } from './batching.js'

export interface DeliveryOptions {
  maxBatch: number
  maxBatchBytes: number
  flushIntervalMs: number
  /** Spans held in memory before they reach the store. */
  maxBuffer: number
}

// Commit soon but not per span: one transaction per burst keeps the spool cheap.
const COMMIT_DELAY_MS = 20
const COMMIT_AT = 256
const MAINTAIN_EVERY_MS = 60_000

/**
 * Moves spans from report() to the backend: memory buffer → store (commit) → lease → send →
 * ack / release with backoff / drop with a counted reason. Never throws to its callers.
 */
export class Delivery {
  private buffer: Span[] = []
  private commitTimer: NodeJS.Timeout | undefined
  private commitSoon: NodeJS.Immediate | undefined
  private intervalTimer: NodeJS.Timeout | undefined
  private maintainTimer: NodeJS.Timeout | undefined
  private inflight: Promise<void> | undefined
  private pausedUntil = 0
  /** A server-mandated pause (Retry-After): honoured even by an explicit flush. */
  private retryAfterUntil = 0
  private failures = 0
  private readonly health: DeliveryHealth
  private uncommittedSince = 0
  private readySinceSend = { count: 0, bytes: 0 }
  private closed = false
  /** Drops counted on the hot path stay in memory until the next commit (no I/O in report()). */
  private drops: Record<string, number> = {}
  /** Aborts an in-flight send at close, so a hanging backend cannot keep the process alive. */
  private readonly cancel = new AbortController()

  constructor(
    private readonly store: SpanStore,
    private readonly sender: Sender,
    private readonly opts: DeliveryOptions,
    private readonly log: Logger,
  ) {
    this.health = new DeliveryHealth(sender.url, log)
  }

  start(): void {
    const jittered = Math.round(this.opts.flushIntervalMs * (0.8 + Math.random() * 0.4))
    this.intervalTimer = setInterval(() => void this.pump(false), jittered).unref()
    this.maintainTimer = setInterval(() => this.safe(() => this.store.maintain(Date.now())), MAINTAIN_EVERY_MS).unref()
    // Spans a previous process left behind go out without waiting for new traffic.
    if (this.store.size().count > 0) setImmediate(() => void this.pump(false)).unref()
  }

  get isDurable(): boolean {
    return this.store.durable
  }

  /** O(1) and synchronous; the store write happens shortly after, off the caller's path. */
  enqueue(span: Span): void {
    if (this.closed) return
    if (this.buffer.length >= this.opts.maxBuffer) {
      this.countDrop('queue_full')
      return
    }
    if (this.buffer.length === 0) this.uncommittedSince = Date.now()
    this.buffer.push(span)
    // Never commit on the caller's path: a burst is committed on the next turn of the loop.
    if (this.buffer.length >= COMMIT_AT && !this.commitSoon) {
      this.commitSoon = setImmediate(() => this.commit())
      this.commitSoon.unref()
    } else if (!this.commitTimer) {
      this.commitTimer = setTimeout(() => this.commit(), COMMIT_DELAY_MS).unref()
    }
  }

  /** Counts a span dropped before it reached the store; reported with the next batch. */
  countDrop(reason: string, n = 1): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + n
    if (!this.commitTimer && !this.closed) this.commitTimer = setTimeout(() => this.commit(), COMMIT_DELAY_MS).unref()
  }

  private flushDrops(): void {
    const drops = this.drops
    this.drops = {}
    for (const [reason, n] of Object.entries(drops)) this.safe(() => this.store.count(reason, n))
  }

  /** Writes buffered spans to the store in one transaction. Returns how many were committed. */
  commit(): number {
    if (this.commitTimer) clearTimeout(this.commitTimer)
    if (this.commitSoon) clearImmediate(this.commitSoon)
    this.commitTimer = undefined
    this.commitSoon = undefined
    if (this.closed) return 0
    this.flushDrops()
    if (this.buffer.length === 0) return 0
    const spans = this.buffer
    this.buffer = []
    const bodies: string[] = []
    let bytes = 0
    for (const span of spans) {
      let body: string
      try {
        body = JSON.stringify(span)
      } catch {
        this.countDrop('unserializable')
        continue
      }
      if (body.length > SERVER_MAX_BYTES && Buffer.byteLength(body) > SERVER_MAX_BYTES) {
        this.countDrop('too_large')
        continue
      }
      bodies.push(body)
      bytes += body.length
    }
    try {
      this.store.add(bodies, Date.now())
      this.flushDrops()
    } catch (err) {
      // The store is unavailable (disk full, locked): keep the spans in memory, bounded.
      this.log.debug('spool write failed', { error: String(err), spans: bodies.length })
      const keep = spans.slice(0, Math.max(0, this.opts.maxBuffer - this.buffer.length))
      this.buffer = keep.concat(this.buffer)
      if (!this.commitTimer) this.commitTimer = setTimeout(() => this.commit(), 1000).unref()
      return 0
    }
    this.readySinceSend.count += bodies.length
    this.readySinceSend.bytes += bytes
    if (this.readySinceSend.count >= this.opts.maxBatch || this.readySinceSend.bytes >= this.opts.maxBatchBytes) {
      void this.pump(false)
    }
    return bodies.length
  }

  /** Milliseconds the oldest uncommitted span has waited (0 when none). */
  uncommittedAgeMs(): number {
    return this.buffer.length ? Date.now() - this.uncommittedSince : 0
  }

  /**
   * Sends batches until nothing is ready, a send fails, or the deadline passes. `force`
   * ignores backoff (an explicit flush). Single-flight: concurrent callers share one run.
   */
  pump(force: boolean, deadline = Infinity): Promise<void> {
    if (this.inflight) {
      if (!force) return this.inflight
      return this.inflight.then(() => this.pump(true, deadline))
    }
    const run = this.run(force, deadline)
      .catch((err: unknown) => this.log.debug('delivery error', { error: String(err) }))
      .finally(() => {
        this.inflight = undefined
      })
    this.inflight = run
    return run
  }

  private async run(force: boolean, deadline: number): Promise<void> {
    this.commit()
    while (!this.closed && Date.now() < deadline) {
      const now = Date.now()
      if (now < this.retryAfterUntil || (!force && now < this.pausedUntil)) return
      const rows = this.store.lease(this.opts.maxBatch, force ? Number.MAX_SAFE_INTEGER : now)
      if (rows.length === 0) return
      this.readySinceSend = { count: 0, bytes: 0 }
      const ok = await this.sendRows(rows, deadline)
      if (!ok) return
    }
  }

  /** Returns false when the backend is unavailable (stop pumping). */
  private async sendRows(rows: Leased[], deadline: number): Promise<boolean> {
    const chunks = chunkByBytes(rows, this.opts.maxBatchBytes)
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i] ?? []
      const ok = await this.sendChunk(chunk, i === 0, deadline)
      if (!ok) {
        const rest = chunks
          .slice(i + 1)
          .flat()
          .map((r) => r.id)
        if (rest.length) this.store.release(rest, this.pausedUntil)
        return false
      }
    }
    return true
  }

  private async sendChunk(chunk: Leased[], withCounters: boolean, deadline: number): Promise<boolean> {
    const dropped = withCounters ? this.store.counters() : undefined
    const outcome: SendOutcome = await this.sender.send(
      chunk.map((r) => r.body),
      dropped,
      deadline,
      this.cancel.signal,
    )
    const ids = chunk.map((r) => r.id)
    switch (outcome.kind) {
      case 'ok': {
        const rejected = new Set(outcome.rejected.map((r) => r.index).filter((i) => i >= 0 && i < chunk.length))
        const rejectedIds = ids.filter((_, i) => rejected.has(i))
        this.store.ack(ids.filter((_, i) => !rejected.has(i)))
        if (rejectedIds.length) this.store.drop(rejectedIds, 'rejected')
        if (dropped && Object.keys(dropped).length) this.store.ackCounters(dropped)
        this.failures = 0
        this.pausedUntil = 0
        this.retryAfterUntil = 0
        this.health.ok()
        return true
      }
      case 'retry': {
        const attempts = Math.max(this.failures, ...chunk.map((r) => r.attempts))
        const delay = outcome.retryAfterMs ?? backoffMs(attempts)
        this.failures++
        this.pausedUntil = Date.now() + delay
        if (outcome.retryAfterMs !== undefined) this.retryAfterUntil = this.pausedUntil
        this.store.release(ids, this.pausedUntil)
        this.health.retrying(outcome.reason)
        this.log.debug('ingest unavailable, will retry', { reason: outcome.reason, spans: ids.length, delay_ms: delay })
        return false
      }
      case 'pause': {
        // Honoured by flush() too (like Retry-After): resending with the same key cannot succeed.
        this.pausedUntil = Date.now() + this.health.paused(outcome.status)
        this.retryAfterUntil = this.pausedUntil
        this.store.release(ids, this.pausedUntil)
        return false
      }
      case 'drop':
        this.store.drop(ids, outcome.reason)
        this.log.debug('ingest refused batch, dropped', { reason: outcome.reason, spans: ids.length })
        return true
      case 'split': {
        const mid = Math.ceil(chunk.length / 2)
        return (
          (await this.sendChunk(chunk.slice(0, mid), withCounters, deadline)) &&
          this.sendChunk(chunk.slice(mid), false, deadline)
        )
      }
    }
  }

  state(): DeliveryState {
    let pending = this.buffer.length
    try {
      pending += this.store.size().count
    } catch {
      // A closed or broken store: what is buffered is all we know.
    }
    return this.health.state(this.pausedUntil, pending)
  }

  /** Commit, then try to deliver everything until `deadline`; what is left stays in the store. */
  async flush(deadline = Infinity): Promise<void> {
    this.safe(() => this.commit())
    const run = this.pump(true, deadline)
    // An in-flight send started before the flush may outlive the deadline: do not wait for it.
    if (deadline !== Infinity) await Promise.race([run, sleepUntil(deadline)])
    else await run
  }

  /** Synchronous last resort for process exit: commit what is buffered and give back leases. */
  closeSync(): void {
    if (this.closed) return
    this.safe(() => this.commit())
    this.closed = true
    for (const t of [this.commitTimer, this.intervalTimer, this.maintainTimer]) if (t) clearTimeout(t)
    this.safe(() => this.store.close())
  }

  /** Waits for an in-flight send (bounded), then closes. */
  async close(deadline: number): Promise<void> {
    if (this.inflight) await Promise.race([this.inflight, sleepUntil(deadline)])
    this.cancel.abort()
    this.closeSync()
  }

  private safe(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.log.debug('store error', { error: String(err) })
    }
  }
}
