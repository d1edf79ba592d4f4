/** A job run every `intervalMs` (never two runs at once), stopped in the SIGTERM order by `stop()`. */
export interface Periodic {
  /** Runs the job now (tests; after a start) unless a run is in flight, which it then awaits. */
  runNow(): Promise<void>
  /** No further runs; resolves once the run in flight, if any, has ended. */
  stop(): Promise<void>
}

export function startPeriodic(options: {
  intervalMs: number
  run: () => Promise<void>
  onError: (error: unknown) => void
}): Periodic {
  let inflight: Promise<void> | null = null
  let stopped = false
  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve()
    inflight ??= options
      .run()
      .catch(options.onError)
      .finally(() => {
        inflight = null
      })
    return inflight
  }
  const timer = options.intervalMs > 0 ? setInterval(() => void tick(), options.intervalMs) : null
  timer?.unref()
  return {
    runNow: tick,
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      await inflight
    },
  }
}
