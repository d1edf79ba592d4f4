import {
  claimPendingEmbeddings,
  deferEmbeddings,
  deleteExpiredEmbeddings,
  enqueueEmbeddings,
  saveEmbeddings,
  type Db,
  type PendingEmbedding,
} from '@tollgate/store'
import type { EmbedCandidate } from '../enrich.js'
import { EmbedderError, type Embedder } from './embedder.js'
import { embeddingText } from './text.js'

export interface EmbeddingJobOptions {
  db: Db
  embedder: Embedder
  /** Texts per provider request. */
  batchSize?: number
  /** How often the queue is polled when idle (pending rows of other replicas, deferred rows). */
  pollMs?: number
  /** Candidates held in memory before they reach Postgres; past it new ones are dropped and counted. */
  maxBuffered?: number
  /** First delay after a failed attempt, doubled per attempt up to `maxBackoffMs`. */
  backoffMs?: number
  maxBackoffMs?: number
  maxAttempts?: number
  /** Embeddings of spans older than this many days are deleted (ClickHouse's TTL has dropped the spans). */
  retentionDays?: number
  log?: (event: string, fields: Record<string, unknown>) => void
}

export interface EmbeddingJobStats {
  queued: number
  embedded: number
  failedAttempts: number
  dropped: number
}

export interface EmbeddingJob {
  /** Non-blocking: called by the ingest verb once a batch is durable. */
  offer(candidates: EmbedCandidate[]): void
  /** One pass: queue the buffered candidates, embed what is due. Resolves when done (tests, shutdown). */
  runOnce(): Promise<void>
  /** Runs passes until idle; used by tests to wait for every due row. */
  drain(): Promise<void>
  readonly stats: EmbeddingJobStats
  stop(): Promise<void>
}

/**
 * The embedding worker, off the ingest's critical path: the ingest verb hands it the sampled spans
 * without PII after their 202 (`offer`, in memory), a pass writes them to `span_embeddings` as pending
 * rows (idempotent per span) and then embeds due pending rows in batches. A provider failure leaves
 * the rows pending with a backoff — that is the back-fill: the same loop picks them up when the
 * provider is back, after a restart too. Fail-open: spans are stored whatever happens here.
 * Limit: candidates still in memory when the process dies are not embedded (their spans are stored).
 */
export function startEmbeddingJob(options: EmbeddingJobOptions): EmbeddingJob {
  const batchSize = options.batchSize ?? 64
  const pollMs = options.pollMs ?? 1000
  const maxBuffered = options.maxBuffered ?? 10_000
  const backoffMs = options.backoffMs ?? 1000
  const maxBackoffMs = options.maxBackoffMs ?? 10 * 60_000
  const maxAttempts = options.maxAttempts ?? 50
  const log = options.log ?? (() => undefined)
  const stats: EmbeddingJobStats = { queued: 0, embedded: 0, failedAttempts: 0, dropped: 0 }
  let buffer: PendingEmbedding[] = []
  let running: Promise<void> | null = null
  let stopped = false
  let timer: NodeJS.Timeout | null = null
  let lastPurge = 0

  async function pass(): Promise<boolean> {
    if (buffer.length > 0) {
      const take = buffer
      buffer = []
      try {
        stats.queued += await enqueueEmbeddings(options.db, take)
      } catch (err) {
        // Postgres unavailable: keep them for the next pass, within the bound.
        buffer = take.concat(buffer).slice(0, maxBuffered)
        log('embeddings.enqueue_failed', { error: (err as Error).message.split('\n')[0], rows: take.length })
        return false
      }
    }
    const claimed = await claimPendingEmbeddings(options.db, { limit: batchSize, leaseMs: 60_000 })
    if (claimed.length === 0) return false
    try {
      const vectors = await options.embedder.embed(claimed.map((c) => embeddingText(c.text)))
      await saveEmbeddings(
        options.db,
        claimed.map((c, i) => ({ ...c, embedding: vectors[i] ?? [] })),
        options.embedder.id,
      )
      stats.embedded += claimed.length
    } catch (err) {
      stats.failedAttempts += claimed.length
      const attempts = Math.max(...claimed.map((c) => c.attempts))
      const retryAfter = err instanceof EmbedderError ? err.retryAfterMs : undefined
      const delayMs = Math.min(maxBackoffMs, retryAfter ?? backoffMs * 2 ** Math.min(20, attempts - 1))
      await deferEmbeddings(options.db, claimed, { delayMs, error: (err as Error).message, maxAttempts })
      log('embeddings.embed_failed', {
        embedder: options.embedder.id,
        rows: claimed.length,
        retry_in_ms: delayMs,
        error: (err as Error).message.split('\n')[0],
      })
      return false
    }
    return claimed.length === batchSize
  }

  async function purge(): Promise<void> {
    if (!options.retentionDays || Date.now() - lastPurge < 3_600_000) return
    lastPurge = Date.now()
    await deleteExpiredEmbeddings(options.db, { before: new Date(Date.now() - options.retentionDays * 86_400_000) })
  }

  function runOnce(): Promise<void> {
    running ??= (async () => {
      try {
        await purge()
        while ((await pass()) && !stopped);
      } catch (err) {
        log('embeddings.pass_failed', { error: (err as Error).message.split('\n')[0] })
      } finally {
        running = null
      }
      // Offered while the last pass was finishing: not left for the next poll.
      if (buffer.length > 0 && !stopped) setImmediate(() => void runOnce())
    })()
    return running
  }

  function schedule(): void {
    if (stopped) return
    timer = setTimeout(() => {
      void runOnce().then(schedule)
    }, pollMs)
    timer.unref()
  }
  schedule()

  return {
    stats,
    offer(candidates) {
      if (stopped) return
      const room = maxBuffered - buffer.length
      if (room < candidates.length) {
        // Their spans are stored; only the embedding is skipped (Postgres has been unreachable a while).
        if (stats.dropped === 0 || buffer.length < maxBuffered) log('embeddings.buffer_full', { max: maxBuffered })
        stats.dropped += candidates.length - Math.max(0, room)
      }
      for (const c of candidates.slice(0, Math.max(0, room))) buffer.push(c)
      // Soon, but never inside the request that offered them.
      setImmediate(() => void runOnce())
    },
    runOnce,
    async drain() {
      for (;;) {
        await runOnce()
        if (buffer.length === 0) break
      }
      await runOnce()
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
      // Buffered candidates are written as pending so the next start embeds them.
      if (buffer.length > 0) await enqueueEmbeddings(options.db, buffer).catch(() => undefined)
    },
  }
}
