/** Something captured that has started and not yet become a span (an LLM call, a wrapped stream). */
export interface Pending {
  /** Turns what is known so far into a span now (shutdown deadline, process exit). Idempotent. */
  abandon(): void
  /** Position in the in-flight list, owned by {@link Inflight} (-1 or absent: not tracked). */
  inflightSlot?: number
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
  // A plain array with swap-remove and the slot kept on the item: no hashing on the call path
  // (a Set cost ~0.2 µs per call in bench:sdk's in-process line).
  private items: Pending[] = []
  private waiters: (() => void)[] = []

  get size(): number {
    return this.items.length
  }

  add(item: Pending): void {
    if (this.items.length >= MAX_TRACKED || (item.inflightSlot ?? -1) >= 0) return
    item.inflightSlot = this.items.length
    this.items.push(item)
  }

  delete(item: Pending): void {
    const slot = item.inflightSlot ?? -1
    if (slot < 0 || this.items[slot] !== item) return
    item.inflightSlot = -1
    const last = this.items.pop()
    if (last && last !== item) {
      this.items[slot] = last
      last.inflightSlot = slot
    }
    if (this.items.length > 0 || this.waiters.length === 0) return
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  /** Resolves true once nothing is in flight, false when `deadline` (epoch ms) comes first. */
  idle(deadline: number): Promise<boolean> {
    if (this.items.length === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const done = () => {
        if (timer) clearTimeout(timer)
        resolve(true)
      }
      this.waiters.push(done)
      if (deadline !== Infinity) {
        timer = setTimeout(
          () => {
            this.waiters = this.waiters.filter((w) => w !== done)
            resolve(false)
          },
          Math.max(0, deadline - Date.now()),
        )
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
      this.delete(item)
    }
  }
}
