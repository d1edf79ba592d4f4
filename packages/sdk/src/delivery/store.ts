/** A span waiting for delivery: its JSON as committed, and how often sending it failed. */
export interface Leased {
  id: number
  body: string
  bytes: number
  attempts: number
}

/**
 * Where spans wait between `report()` and a 2xx. A span leaves only by `ack` (delivered) or
 * `drop` (counted with a reason). Implementations never throw from `counters()`.
 */
export interface SpanStore {
  readonly durable: boolean
  /** Adds serialized spans atomically; may drop older ones to respect caps (counted). */
  add(bodies: readonly string[], now: number): void
  /** Hands out up to `limit` spans ready at `now`, oldest first, to this process only. */
  lease(limit: number, now: number): Leased[]
  ack(ids: readonly number[]): void
  /** Back to waiting, not before `retryAt`; increments attempts. */
  release(ids: readonly number[], retryAt: number): void
  drop(ids: readonly number[], reason: string): void
  /** Counts spans dropped before they reached the store. */
  count(reason: string, n: number): void
  counters(): Record<string, number>
  /** Subtracts counters the server acknowledged (others may have grown meanwhile). */
  ackCounters(reported: Readonly<Record<string, number>>): void
  /** Spans not yet delivered, leased or not. */
  size(): { count: number; bytes: number }
  /** Earliest time a non-leased span becomes ready, if any is waiting. */
  nextReadyAt(): number | undefined
  /** Returns this process's leases to the pool (shutdown, exit). */
  releaseLeases(): void
  /** Periodic upkeep: age cap, stale leases of dead processes. */
  maintain(now: number): void
  close(): void
}

interface MemItem extends Leased {
  createdAt: number
  readyAt: number
  leased: boolean
}

/** best_effort: a bounded queue in memory; when full the newest spans are dropped (and counted). */
export class MemoryStore implements SpanStore {
  readonly durable = false
  private items: MemItem[] = []
  private nextId = 1
  private bytes = 0
  private dropped: Record<string, number> = {}

  constructor(
    private readonly maxItems: number,
    private readonly maxBytes: number,
    private readonly maxAgeMs: number,
  ) {}

  add(bodies: readonly string[], now: number): void {
    for (const body of bodies) {
      const bytes = Buffer.byteLength(body)
      if (this.items.length >= this.maxItems || this.bytes + bytes > this.maxBytes) {
        this.count('queue_full', 1)
        continue
      }
      this.items.push({ id: this.nextId++, body, bytes, attempts: 0, createdAt: now, readyAt: 0, leased: false })
      this.bytes += bytes
    }
  }

  lease(limit: number, now: number): Leased[] {
    const out: Leased[] = []
    for (const item of this.items) {
      if (out.length >= limit) break
      if (item.leased || item.readyAt > now) continue
      item.leased = true
      out.push({ id: item.id, body: item.body, bytes: item.bytes, attempts: item.attempts })
    }
    return out
  }

  private remove(ids: readonly number[]): number {
    const set = new Set(ids)
    let removed = 0
    this.items = this.items.filter((i) => {
      if (!set.has(i.id)) return true
      this.bytes -= i.bytes
      removed++
      return false
    })
    return removed
  }

  ack(ids: readonly number[]): void {
    this.remove(ids)
  }

  release(ids: readonly number[], retryAt: number): void {
    const set = new Set(ids)
    for (const i of this.items) {
      if (!set.has(i.id)) continue
      i.leased = false
      i.attempts++
      i.readyAt = retryAt
    }
  }

  drop(ids: readonly number[], reason: string): void {
    const n = this.remove(ids)
    if (n > 0) this.count(reason, n)
  }

  count(reason: string, n: number): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + n
  }

  counters(): Record<string, number> {
    return { ...this.dropped }
  }

  ackCounters(reported: Readonly<Record<string, number>>): void {
    for (const [reason, n] of Object.entries(reported)) {
      const left = (this.dropped[reason] ?? 0) - n
      if (left > 0) this.dropped[reason] = left
      else delete this.dropped[reason]
    }
  }

  size(): { count: number; bytes: number } {
    return { count: this.items.length, bytes: this.bytes }
  }

  nextReadyAt(): number | undefined {
    let min: number | undefined
    for (const i of this.items) if (!i.leased && (min === undefined || i.readyAt < min)) min = i.readyAt
    return min
  }

  releaseLeases(): void {
    for (const i of this.items) i.leased = false
  }

  maintain(now: number): void {
    const expired = this.items.filter((i) => !i.leased && now - i.createdAt > this.maxAgeMs).map((i) => i.id)
    if (expired.length) this.drop(expired, 'expired')
  }

  close(): void {
    this.items = []
    this.bytes = 0
  }
}
