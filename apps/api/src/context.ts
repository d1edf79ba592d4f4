import type { Pricer, SpanLimits } from '@tollgate/core'
import type { IngestDeps, SpanTransport } from '@tollgate/pipeline'
import type { AlertEvaluator, ClickHouse, Postgres } from '@tollgate/store'
import type { Env } from './env.js'
import type { Logger } from './lib/logger.js'
import type { Metrics } from './lib/metrics.js'

/** Built once by main() (or a test) and handed to every route: no module singletons. */
export interface AppDeps {
  env: Env
  ch: ClickHouse
  pg: Postgres
  transport: SpanTransport
  pricer: Pricer
  logger: Logger
  metrics: Metrics
  limits: SpanLimits & { maxBodyBytes: number; maxSpansPerRequest: number }
  /** What the ingest verb needs; every ingest door passes this. */
  ingest: IngestDeps
  /** Alert rules' evaluator (its timer runs in server.ts) and the SDK-alert recorder. */
  alerts: AlertEvaluator
  /** Set once SIGTERM arrives: new requests get 503 and every response closes its connection. */
  lifecycle: { stopping: boolean }
}

/** Who is calling. The project always comes from here, never from a parameter or a body. */
export interface Caller {
  projectId: string
  /** admin may mutate (projects, keys, rules); viewer only reads. */
  role: 'viewer' | 'admin'
  /** local: no auth configured; api-key: the API_KEY env key; project-key: a tg_sk_ key; jwt: a verified token. */
  via: 'local' | 'api-key' | 'project-key' | 'jwt'
  scopes: readonly ('ingest' | 'read')[]
  /** May create projects and act on any project's keys: local mode and the API_KEY env key only. */
  instanceAdmin: boolean
  /** The key id (project-key), or the token's `sub` (jwt): who, for logs and rate limits; never the secret. */
  actor?: string
}

export interface AppEnv {
  Variables: {
    deps: AppDeps
    requestId: string
    caller: Caller
  }
}
