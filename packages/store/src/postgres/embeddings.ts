import { and, eq, sql } from 'drizzle-orm'
import type { Db } from './client.js'
import { projects, spanEmbeddings, type EmbeddingStatus } from './schema.js'

// Prompt embeddings (issue 12). Every query takes the project: a span's neighbours are searched among
// its own project's rows only. The table doubles as the embedding queue (schema-embeddings.ts).

export interface EmbeddingKey {
  projectId: string
  traceId: string
  spanId: string
}

export interface PendingEmbedding extends EmbeddingKey {
  startUs: number
  name: string
  model: string
  promptSha256: string
  text: string
}

const PREVIEW_CHARS = 200

/** The columns every row of a span starts with (the text itself only while it waits to be embedded). */
const rowOf = (r: PendingEmbedding) => ({
  projectId: r.projectId,
  traceId: r.traceId,
  spanId: r.spanId,
  startTime: new Date(Math.floor(r.startUs / 1000)),
  name: r.name,
  model: r.model,
  inputPreview: r.text.slice(0, PREVIEW_CHARS),
  promptSha256: r.promptSha256,
})

/** Queues spans for embedding; a span already queued or embedded is left as it is (redelivery → once). */
export async function enqueueEmbeddings(
  db: Db,
  rows: PendingEmbedding[],
  /** First attempt not before this (a provider known to be down); default now. */
  notBefore?: Date,
): Promise<number> {
  if (rows.length === 0) return 0
  const inserted = await db
    .insert(spanEmbeddings)
    .values(rows.map((r) => ({ ...rowOf(r), text: r.text, ...(notBefore ? { nextAttemptAt: notBefore } : {}) })))
    .onConflictDoNothing()
    .returning({ spanId: spanEmbeddings.spanId })
  return inserted.length
}

/**
 * Stores spans embedded straight from memory as `done` rows in one statement: no pending row to write,
 * claim and update first. A span already queued or embedded is left as it is (redelivery → once).
 * Returns how many rows were new.
 */
export async function insertEmbeddings(
  db: Db,
  rows: Array<PendingEmbedding & { embedding: number[] }>,
  embedder: string,
): Promise<number> {
  if (rows.length === 0) return 0
  const now = new Date()
  const inserted = await db
    .insert(spanEmbeddings)
    .values(
      rows.map((r) => ({
        ...rowOf(r),
        status: 'done' as const,
        embedder,
        embedding: r.embedding,
        attempts: 1,
        embeddedAt: now,
      })),
    )
    .onConflictDoNothing()
    .returning({ spanId: spanEmbeddings.spanId })
  return inserted.length
}

/** Which of these spans already have a row (queued, embedded or failed): a redelivery is not embedded again. */
export async function existingEmbeddingKeys(db: Db, keys: EmbeddingKey[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set()
  const result = await db.execute<{ k: string }>(sql`
    SELECT project_id || '/' || trace_id || '/' || span_id AS k FROM span_embeddings
     WHERE (project_id, trace_id, span_id) IN (${sql.join(
       keys.map((k) => sql`(${k.projectId}, ${k.traceId}, ${k.spanId})`),
       sql`, `,
     )})`)
  return new Set(result.rows.map((r) => r.k))
}

/** The key `existingEmbeddingKeys` answers with. */
export const embeddingKeyOf = (k: EmbeddingKey): string => `${k.projectId}/${k.traceId}/${k.spanId}`

export interface ClaimedEmbedding extends EmbeddingKey {
  text: string
  attempts: number
}

/**
 * Takes up to `limit` due pending rows and leases them for `leaseMs` (their next attempt is pushed
 * back), so concurrent jobs (replicas) never embed the same row at once; SKIP LOCKED lets them share
 * the queue without waiting on each other.
 */
export async function claimPendingEmbeddings(
  db: Db,
  params: { limit: number; leaseMs: number },
): Promise<ClaimedEmbedding[]> {
  const result = await db.execute<{
    project_id: string
    trace_id: string
    span_id: string
    text: string | null
    attempts: number
  }>(sql`
    UPDATE span_embeddings AS e
       SET next_attempt_at = now() + ${params.leaseMs} * interval '1 millisecond', attempts = e.attempts + 1
      FROM (SELECT project_id, trace_id, span_id FROM span_embeddings
             WHERE status = 'pending' AND next_attempt_at <= now()
             ORDER BY next_attempt_at LIMIT ${params.limit} FOR UPDATE SKIP LOCKED) AS due
     WHERE e.project_id = due.project_id AND e.trace_id = due.trace_id AND e.span_id = due.span_id
    RETURNING e.project_id, e.trace_id, e.span_id, e.text, e.attempts`)
  return result.rows.map((r) => ({
    projectId: r.project_id,
    traceId: r.trace_id,
    spanId: r.span_id,
    text: r.text ?? '',
    attempts: Number(r.attempts),
  }))
}

const keyIs = (k: EmbeddingKey) =>
  and(
    eq(spanEmbeddings.projectId, k.projectId),
    eq(spanEmbeddings.traceId, k.traceId),
    eq(spanEmbeddings.spanId, k.spanId),
  )

/** Stores vectors and drops the queued text (the prompt itself stays in ClickHouse only). */
export async function saveEmbeddings(
  db: Db,
  rows: Array<EmbeddingKey & { embedding: number[] }>,
  embedder: string,
): Promise<void> {
  if (rows.length === 0) return
  await db.transaction(async (tx) => {
    for (const r of rows) {
      await tx
        .update(spanEmbeddings)
        .set({
          embedding: r.embedding,
          embedder,
          status: 'done',
          text: null,
          lastError: null,
          embeddedAt: new Date(),
        })
        .where(keyIs(r))
    }
  })
}

/**
 * A failed attempt: the rows stay pending and are tried again after `delayMs` (the back-fill), or are
 * marked `failed` (text dropped) once they have had `maxAttempts`.
 */
export async function deferEmbeddings(
  db: Db,
  rows: Array<EmbeddingKey & { attempts: number }>,
  params: { delayMs: number; error: string; maxAttempts: number },
): Promise<void> {
  if (rows.length === 0) return
  const next = new Date(Date.now() + params.delayMs)
  await db.transaction(async (tx) => {
    for (const r of rows) {
      const failed = r.attempts >= params.maxAttempts
      await tx
        .update(spanEmbeddings)
        .set({
          status: failed ? 'failed' : 'pending',
          nextAttemptAt: next,
          lastError: params.error.slice(0, 500),
          ...(failed ? { text: null } : {}),
        })
        .where(keyIs(r))
    }
  })
}

export interface SimilarSpan {
  trace_id: string
  span_id: string
  distance: number
  name: string
  model: string
  input_preview: string
}

export type SimilarResult =
  { found: false } | { found: true; status: EmbeddingStatus; traceId: string; similar: SimilarSpan[] }

/**
 * The nearest embedded prompts of the same project (cosine distance), the span itself excluded. The
 * HNSW index serves the ORDER BY; with the project filter applied after the graph walk, pgvector's
 * iterative scan keeps walking until `limit` rows of this project are found (or the index is spent),
 * so a small project in a large table still gets its neighbours.
 */
export async function findSimilarSpans(
  db: Db,
  params: { projectId: string; spanId: string; traceId?: string | undefined; limit: number },
): Promise<SimilarResult> {
  const [source] = await db
    .select({ traceId: spanEmbeddings.traceId, status: spanEmbeddings.status })
    .from(spanEmbeddings)
    .where(
      and(
        eq(spanEmbeddings.projectId, params.projectId),
        eq(spanEmbeddings.spanId, params.spanId),
        params.traceId ? eq(spanEmbeddings.traceId, params.traceId) : undefined,
      ),
    )
    .limit(1)
  if (!source) return { found: false }
  if (source.status !== 'done') return { found: true, status: source.status, traceId: source.traceId, similar: [] }
  const key = { projectId: params.projectId, traceId: source.traceId, spanId: params.spanId }
  const rows = await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL hnsw.iterative_scan = relaxed_order`)
    await tx.execute(sql`SET LOCAL hnsw.ef_search = ${sql.raw(String(Math.max(40, params.limit * 2)))}`)
    const result = await tx.execute<{
      trace_id: string
      span_id: string
      distance: number
      name: string
      model: string
      input_preview: string
    }>(sql`
      WITH q AS (SELECT embedding FROM span_embeddings
                  WHERE project_id = ${key.projectId} AND trace_id = ${key.traceId} AND span_id = ${key.spanId})
      SELECT * FROM (
        SELECT e.trace_id, e.span_id, e.embedding <=> q.embedding AS distance, e.name, e.model, e.input_preview
          FROM span_embeddings e, q
         WHERE e.project_id = ${key.projectId} AND e.status = 'done'
           AND NOT (e.trace_id = ${key.traceId} AND e.span_id = ${key.spanId})
         ORDER BY e.embedding <=> q.embedding
         LIMIT ${params.limit}) AS nearest
      ORDER BY distance, trace_id, span_id`)
    return result.rows
  })
  return {
    found: true,
    status: 'done',
    traceId: source.traceId,
    similar: rows.map((r) => ({ ...r, distance: Number(r.distance) })),
  }
}

/** Rows of spans past retention (ClickHouse's TTL dropped the spans themselves). */
export async function deleteExpiredEmbeddings(db: Db, params: { before: Date }): Promise<number> {
  const rows = await db
    .delete(spanEmbeddings)
    .where(sql`${spanEmbeddings.startTime} < ${params.before}`)
    .returning({ spanId: spanEmbeddings.spanId })
  return rows.length
}

/** Every project's own PII policy (the rest use PII_POLICY): small, read whole by the policy cache. */
export async function listProjectPiiPolicies(db: Db): Promise<Array<{ id: string; piiPolicy: string }>> {
  const rows = await db
    .select({ id: projects.id, piiPolicy: projects.piiPolicy })
    .from(projects)
    .where(sql`${projects.piiPolicy} IS NOT NULL`)
  return rows.flatMap((r) => (r.piiPolicy ? [{ id: r.id, piiPolicy: r.piiPolicy }] : []))
}

/** Sets (or with null clears) a project's PII policy; false when the project has no row. */
export async function setProjectPiiPolicy(
  db: Db,
  params: { projectId: string; piiPolicy: 'redact' | 'drop' | 'keep' | null },
): Promise<boolean> {
  const rows = await db
    .update(projects)
    .set({ piiPolicy: params.piiPolicy })
    .where(eq(projects.id, params.projectId))
    .returning({ id: projects.id })
  return rows.length > 0
}
