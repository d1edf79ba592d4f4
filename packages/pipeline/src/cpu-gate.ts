import { setImmediate as yieldToLoop } from 'node:timers/promises'

/**
 * Keeps the event loop responsive under ingest load. CPU-bound batch work (normalise, price,
 * serialise: ~30 µs a span) runs one job at a time and gives the loop back every `sliceMs`, so a
 * `/health` probe or a read waits for at most one slice instead of every in-flight batch's whole
 * work (at 256 × 1,000-span batches that was over 15 s). Total throughput is unchanged: the work is
 * the same, only interleaved.
 */
export class CpuGate {
  private tail: Promise<void> = Promise.resolve()

  constructor(private readonly sliceMs = 4) {}

  /** Runs `step(0) … step(n − 1)` as one exclusive job, yielding between slices. */
  async run(n: number, step: (i: number) => void): Promise<void> {
    const previous = this.tail
    let release = (): void => undefined
    this.tail = new Promise<void>((r) => (release = r))
    await previous
    try {
      let sliceStart = performance.now()
      for (let i = 0; i < n; i++) {
        step(i)
        if ((i & 7) === 7 && performance.now() - sliceStart > this.sliceMs) {
          await yieldToLoop()
          sliceStart = performance.now()
        }
      }
    } finally {
      release()
    }
  }
}
