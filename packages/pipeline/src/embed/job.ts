import {
  claimPendingEmbeddings,
  deferEmbeddings,
  deleteExpiredEmbeddings,
  embeddingKeyOf,
  enqueueEmbeddings,
  existingEmbeddingKeys,
  insertEmbeddings,
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
  /** How long offered candidates may wait to fill a batch before a pass takes them. */
  flushMs?: number
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
 * without PII after their 202 (`offer`, in memory). Offers are gathered for up to `flushMs` or a full
 * batch, embedded from memory and stored as finished rows in one insert (spans that already have a
 * row are skipped: a redelivery is embedded once). A provider failure queues them as pending rows
 * with a backoff — that is the back-fill: the polling loop claims due pending rows (also those of
 * other replicas, and after a restart) when the provider is back. Fail-open: spans are stored
 * whatever happens here. Fewer, larger statements matter: in the embedded mode every statement is a
 * wire-protocol round trip into PGlite on the ingest's own thread.
 * Limit: candidates still in memory when the process dies are not embedded (their spans are stored).
 */
export function startEmbeddingJob(options: EmbeddingJobOptions): EmbeddingJob {
  const batchSize = options.batchSize ?? 64
  const pollMs = options.pollMs ?? 1000
  const flushMs = options.flushMs ?? 100
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

  /** Until then the provider is treated as down: offered candidates are queued as pending rows. */
  let providerDownUntil = 0

  function failed(err: unknown, rows: number, attempts: number): number {
    stats.failedAttempts += rows
    const retryAfter = err instanceof EmbedderError ? err.retryAfterMs : undefined
    const delayMs = Math.min(maxBackoffMs, retryAfter ?? backoffMs * 2 ** Math.min(20, attempts - 1))
    log('embeddings.embed_failed', {
      embedder: options.embedder.id,
      rows,
      retry_in_ms: delayMs,
      error: (err as Error).message.split('\n')[0],
    })
    return delayMs
  }

  /**
   * The buffered candidates, embedded from memory and stored as finished rows (one existence check,
   * one insert per pass). While the provider is down they are queued as pending rows instead, for the
   * claim loop's back-off to take up.
   */
  async function embedBuffered(): Promise<boolean> {
    if (buffer.length === 0) return false
    const take = buffer.slice(0, batchSize * 4)
    buffer = buffer.slice(take.length)
    const keep = (): void => {
      // Postgres unavailable: keep them for the next pass, within the bound.
      buffer = take.concat(buffer).slice(0, maxBuffered)
    }
    try {
      if (Date.now() < providerDownUntil) {
        stats.queued += await enqueueEmbeddings(options.db, take, new Date(providerDownUntil))
        return buffer.length > 0
      }
      const known = await existingEmbeddingKeys(options.db, take)
      const fresh = known.size === 0 ? take : take.filter((c) => !known.has(embeddingKeyOf(c)))
      const vectors: number[][] = []
      try {
        for (let i = 0; i < fresh.length; i += batchSize)
          vectors.push(
            ...(await options.embedder.embed(fresh.slice(i, i + batchSize).map((c) => embeddingText(c.text)))),
          )
      } catch (err) {
        providerDownUntil = Date.now() + failed(err, fresh.length, 1)
        stats.queued += await enqueueEmbeddings(options.db, fresh, new Date(providerDownUntil))
        return buffer.length > 0
      }
      const stored = await insertEmbeddings(
        options.db,
        fresh.map((c, i) => ({ ...c, embedding: vectors[i] ?? [] })),
        options.embedder.id,
      )
      stats.queued += stored
      stats.embedded += stored
    } catch (err) {
      keep()
      log('embeddings.enqueue_failed', { error: (err as Error).message.split('\n')[0], rows: take.length })
      return false
    }
    return buffer.length > 0
  }

  /** Due pending rows (failed earlier, or queued by another replica), embedded in one batch. */
  async function embedPending(): Promise<boolean> {
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
      providerDownUntil = 0
    } catch (err) {
      const delayMs = failed(err, claimed.length, Math.max(...claimed.map((c) => c.attempts)))
      providerDownUntil = Date.now() + delayMs
      await deferEmbeddings(options.db, claimed, { delayMs, error: (err as Error).message, maxAttempts })
      return false
    }
    return claimed.length === batchSize
  }

  async function purge(): Promise<void> {
    if (!options.retentionDays || Date.now() - lastPurge < 3_600_000) return
    lastPurge = Date.now()
    await deleteExpiredEmbeddings(options.db, { before: new Date(Date.now() - options.retentionDays * 86_400_000) })
  }

  /** One pass; `claim` also takes due pending rows (the timer's and callers' passes, not each offer's). */
  function runPass(claim: boolean): Promise<void> {
    running ??= (async () => {
      try {
        await purge()
        while ((await embedBuffered()) && !stopped);
        if (claim) while ((await embedPending()) && !stopped);
      } catch (err) {
        log('embeddings.pass_failed', { error: (err as Error).message.split('\n')[0] })
      } finally {
        running = null
      }
      // Offered while the last pass was finishing: not left for the next poll.
      if (buffer.length > 0 && !stopped) soon()
    })()
    return running
  }
  const runOnce = (): Promise<void> => runPass(true)

  let flushTimer: NodeJS.Timeout | null = null
  /** A pass soon: at once when a batch is full, else after `flushMs` so small offers share one pass. */
  function soon(): void {
    if (stopped) return
    if (buffer.length >= batchSize) {
      if (flushTimer) clearTimeout(flushTimer)
      flushTimer = null
      // Never inside the request that offered them.
      setImmediate(() => void runPass(false))
    } else
      flushTimer ??= setTimeout(() => {
        flushTimer = null
        void runPass(false)
      }, flushMs).unref()
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
      soon()
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
      if (flushTimer) clearTimeout(flushTimer)
      await running
      // Buffered candidates are written as pending so the next start embeds them.
      if (buffer.length > 0) await enqueueEmbeddings(options.db, buffer).catch(() => undefined)
    },
  }
}
