import { sql } from 'drizzle-orm'
import { index, integer, pgTable, primaryKey, text, timestamp, vector } from 'drizzle-orm/pg-core'

/** Dimensions of every stored embedding: the local embedder's, and what providers are asked for. */
export const EMBEDDING_DIMS = 384

export const EMBEDDING_STATUSES = ['pending', 'done', 'failed'] as const
export type EmbeddingStatus = (typeof EMBEDDING_STATUSES)[number]

/**
 * Prompt embeddings of sampled spans without PII (issue 12). One row per span, keyed like the span, so
 * a redelivery is embedded once (`ON CONFLICT DO NOTHING`). The table is also the embedding queue: a
 * row starts `pending` with the text to embed, the embed job fills `embedding` and clears `text`; a
 * provider failure leaves it pending with `next_attempt_at` pushed back (the back-fill). `name`,
 * `model` and `input_preview` let `/similar` answer from this table alone. No foreign key to
 * `projects`, as budgets: a JWT may name a project without a row.
 */
export const spanEmbeddings = pgTable(
  'span_embeddings',
  {
    projectId: text('project_id').notNull(),
    traceId: text('trace_id').notNull(),
    spanId: text('span_id').notNull(),
    startTime: timestamp('start_time', { withTimezone: true }).notNull(),
    name: text('name').notNull(),
    model: text('model').notNull(),
    inputPreview: text('input_preview').notNull(),
    promptSha256: text('prompt_sha256').notNull(),
    status: text('status').$type<EmbeddingStatus>().notNull().default('pending'),
    /** The text to embed while pending; null once embedded (the prompt lives in ClickHouse). */
    text: text('text'),
    /** Which embedder produced the vector, e.g. `local:ngram-v1` or `openai:text-embedding-3-small`. */
    embedder: text('embedder'),
    embedding: vector('embedding', { dimensions: EMBEDDING_DIMS }),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    embeddedAt: timestamp('embedded_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.traceId, t.spanId] }),
    // Cosine distance: both embedders return L2-normalised vectors.
    index('span_embeddings_hnsw_idx').using('hnsw', t.embedding.op('vector_cosine_ops')),
    index('span_embeddings_pending_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index('span_embeddings_sha_idx').on(t.projectId, t.promptSha256),
    index('span_embeddings_start_idx').on(t.startTime),
  ],
)
export type SpanEmbedding = typeof spanEmbeddings.$inferSelect
