import {
  ProjectPolicies,
  createLocalEmbedder,
  createOpenAiEmbedder,
  startEmbeddingJob,
  type EmbeddingJob,
} from '@tollgate/pipeline'
import { EMBEDDING_DIMS, type Db } from '@tollgate/store'
import type { Env } from './env.js'
import type { Logger } from './lib/logger.js'

/** How often each replica re-reads projects' PII policies (a change on this process applies at once). */
const POLICY_REFRESH_MS = 10_000

export interface EnrichmentServices {
  policies: ProjectPolicies
  embeddings: EmbeddingJob
  stop(): Promise<void>
}

/**
 * The parts of enrichment that need Postgres: projects' PII policies (read before the first span is
 * taken) and the embedding job (local embedder unless EMBEDDINGS_URL names a provider).
 */
export async function startEnrichment(env: Env, db: Db, logger: Logger): Promise<EnrichmentServices> {
  const policies = new ProjectPolicies(db)
  await policies.refresh()
  policies.start(POLICY_REFRESH_MS, (error) => logger.warn('pii_policies.refresh_failed', { error: String(error) }))
  const embedder = env.EMBEDDINGS_URL
    ? createOpenAiEmbedder({
        url: env.EMBEDDINGS_URL,
        model: env.EMBEDDINGS_MODEL,
        apiKey: env.EMBEDDINGS_API_KEY,
        dims: EMBEDDING_DIMS,
        timeoutMs: env.EMBEDDINGS_TIMEOUT_MS,
      })
    : createLocalEmbedder(EMBEDDING_DIMS)
  const embeddings = startEmbeddingJob({
    db,
    embedder,
    batchSize: env.EMBEDDINGS_BATCH_SIZE,
    retentionDays: env.DATA_RETENTION_DAYS,
    log: (event, fields) => logger.warn(event, fields),
  })
  logger.info('enrichment.ready', { embedder: embedder.id, pii_policy: env.PII_POLICY })
  return {
    policies,
    embeddings,
    async stop() {
      policies.stop()
      await embeddings.stop()
    },
  }
}
