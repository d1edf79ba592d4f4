/** Something captured that has started and not yet become a span (an LLM call, a wrapped stream). */
export interface Pending {
  /** Turns what is known so far into a span now (shutdown deadline, process exit). Idempotent. */
  abandon(): void
}

// A response nobody reads and nobody cancels never ends: past this many, new captures are not
// tracked (they still become spans when they end), so the set cannot grow without bound.
const MAX_TRACKED = 10_000

/**
 * Captures in flight. `flush()` and `shutdown()` wait here before committing the buffer: a
 * stream's span is built after the application's iterator finished, and a shutdown that did
 * not wait lost it.
 */
export class Inflight {
  private readonly items = new Set<Pending>()
  private waiters: (() => void)[] = []

  get size(): number {
    return this.items.size
  }

  add(item: Pending): void {
    if (this.items.size < MAX_TRACKED) this.items.add(item)
  }

  delete(item: Pending): void {
    if (!this.items.delete(item) || this.items.size > 0 || this.waiters.length === 0) return
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  /** Resolves true once nothing is in flight, false when `deadline` (epoch ms) comes first. */
  idle(deadline: number): Promise<boolean> {
    if (this.items.size === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const done = () => {
        if (timer) clearTimeout(timer)
        resolve(true)
      }
      this.waiters.push(done)
      if (deadline !== Infinity) {
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== done)
          resolve(false)
        }, Math.max(0, deadline - Date.now()))
        timer.unref()
      }
    })
  }

  /** Everything still in flight becomes a span as it stands. */
  abandonAll(): void {
    for (const item of [...this.items]) {
      try {
        item.abandon()
      } catch {
        // One capture failing to finalise must not stop the others.
      }
      this.items.delete(item)
    }
  }
}
