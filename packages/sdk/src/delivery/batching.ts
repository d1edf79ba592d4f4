import type { Leased } from './store.js'

const MAX_BACKOFF_MS = 300_000

export function sleepUntil(deadline: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref())
}

/** Exponential backoff with "equal jitter": never zero, never synchronised across processes. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 20))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** Splits leased rows into request-sized chunks (bytes); a single oversized row goes alone. */
export function chunkByBytes(rows: readonly Leased[], maxBytes: number): Leased[][] {
  const chunks: Leased[][] = []
  let current: Leased[] = []
  let size = 0
  for (const row of rows) {
    if (current.length > 0 && size + row.bytes + 1 > maxBytes) {
      chunks.push(current)
      current = []
      size = 0
    }
    current.push(row)
    size += row.bytes + 1
  }
  if (current.length) chunks.push(current)
  return chunks
}
