/**
 * A sliding window of sums and counts in fixed buckets: bounded memory whatever the call rate
 * (agentwatch keeps a deque per call). A value leaves the window up to one bucket (1/60th of
 * it) late, never early: limits err on the safe side.
 */
export class SlidingWindow {
  private readonly starts: number[]
  private readonly sums: number[]
  private readonly counts: number[]
  private readonly bucketMs: number

  constructor(
    readonly windowMs: number,
    buckets = 60,
  ) {
    this.bucketMs = Math.max(1, Math.floor(windowMs / buckets))
    const slots = buckets + 1
    this.starts = new Array<number>(slots).fill(-Infinity)
    this.sums = new Array<number>(slots).fill(0)
    this.counts = new Array<number>(slots).fill(0)
  }

  add(now: number, value = 1): void {
    const start = Math.floor(now / this.bucketMs) * this.bucketMs
    const slot = Math.floor(now / this.bucketMs) % this.starts.length
    if (this.starts[slot] !== start) {
      this.starts[slot] = start
      this.sums[slot] = 0
      this.counts[slot] = 0
    }
    this.sums[slot] = (this.sums[slot] ?? 0) + value
    this.counts[slot] = (this.counts[slot] ?? 0) + 1
  }

  /** Sum and count of values added in (now - windowMs, now]. */
  read(now: number): { sum: number; count: number } {
    const oldest = now - this.windowMs
    let sum = 0
    let count = 0
    for (let i = 0; i < this.starts.length; i++) {
      const start = this.starts[i] ?? -Infinity
      if (start + this.bucketMs > oldest && start <= now) {
        sum += this.sums[i] ?? 0
        count += this.counts[i] ?? 0
      }
    }
    return { sum, count }
  }

  clear(): void {
    this.starts.fill(-Infinity)
    this.sums.fill(0)
    this.counts.fill(0)
  }
}
