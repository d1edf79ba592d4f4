import { z } from 'zod'

/** "true"/"false"/"1"/"0"/"yes"/"no": z.coerce.boolean() would read "false" as true. */
const BoolEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
const opt = <T extends z.ZodType>(s: T) => s.optional()
const Int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
const Rate = z.coerce.number().min(0).max(1)

const Base = z.object({
  PORT: Int(0, 65535).default(3001),
  HOST: opt(z.string()),
  DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_URL: opt(z.string().regex(/^postgres(ql)?:\/\//, 'expected postgres:// or postgresql://')),
  PGLITE_PORT: Int(0, 65535).default(0),
  CLICKHOUSE_URL: opt(z.string().url()),
  CLICKHOUSE_DB: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an identifier')
    .default('tollgate'),
  CLICKHOUSE_USER: opt(z.string()),
  CLICKHOUSE_PASSWORD: opt(z.string()),
  KAFKA_BROKERS: opt(z.string()),
  KAFKA_CLIENT_ID: z.string().default('tollgate'),
  API_KEY: opt(z.string().min(16, 'use at least 16 characters')),
  JWT_SECRET: opt(z.string().min(32, 'use at least 32 characters')),
  JWT_JWKS_URL: opt(z.string().url()),
  JWT_ISSUER: opt(z.string()),
  JWT_AUDIENCE: opt(z.string()),
  LOCAL_MODE: BoolEnv.optional(),
  METRICS_PUBLIC: BoolEnv.default(false),
  API_KEY_CACHE_TTL_MS: Int(0, 3_600_000).default(30_000),
  /** How long a project's GET /api/policy (budgets with their spend) is reused before spend is read again. */
  POLICY_CACHE_TTL_MS: Int(0, 600_000).default(2_000),
  /** Every this often one replica recomputes the last 48 h of the rollups from deduplicated spans; 0 = never. */
  ROLLUP_REFRESH_INTERVAL_MS: Int(0, 86_400_000).default(600_000),
  /** Alert rules are evaluated this often; 0 = never (tests drive the evaluator themselves). */
  ALERT_EVAL_INTERVAL_MS: Int(0, 86_400_000).default(15_000),
  /** Signs generic alert webhooks: X-Tollgate-Signature: sha256=<HMAC-SHA256 of the body>. */
  ALERT_WEBHOOK_SECRET: opt(z.string().min(16, 'use at least 16 characters')),
  /** First retry delay of a failed notification (doubles per attempt, 4 attempts). */
  ALERT_NOTIFY_BACKOFF_MS: Int(0, 60_000).default(1_000),
  RATE_LIMIT_KEY_PER_S: z.coerce.number().min(0).max(1_000_000).default(100),
  RATE_LIMIT_KEY_BURST: Int(1, 10_000_000).default(200),
  RATE_LIMIT_PROJECT_PER_S: z.coerce.number().min(0).max(1_000_000).default(300),
  RATE_LIMIT_PROJECT_BURST: Int(1, 10_000_000).default(600),
  CORS_ORIGINS: z.string().default(''),
  ZERO_DATA_RETENTION: BoolEnv.default(false),
  DATA_RETENTION_DAYS: Int(1, 36500).default(30),
  EMBEDDINGS_URL: opt(z.string().url()),
  EMBEDDINGS_MODEL: z.string().default('text-embedding-3-small'),
  EMBEDDINGS_API_KEY: opt(z.string()),
  /** Per request to EMBEDDINGS_URL; a timed-out batch is retried, then left pending for the back-fill. */
  EMBEDDINGS_TIMEOUT_MS: Int(100, 600_000).default(10_000),
  /** Prompts per embedding request (and per pass of the embedding job). */
  EMBEDDINGS_BATCH_SIZE: Int(1, 2048).default(64),
  EMBEDDING_SAMPLE_RATE: Rate.default(0.01),
  PII_POLICY: z.enum(['redact', 'drop', 'keep']).default('redact'),
  PATTERNS_FILE: opt(z.string()),
  PRICES_FILE: opt(z.string()),
  REPORT_SIGNING_KEY: opt(z.string()),
  ALERT_WEBHOOK_URL: opt(z.string().url()),
  RESEND_API_KEY: opt(z.string()),
  /** Resend's API base (a compatible relay, or a receiver in tests); emails go to `<base>/emails`. */
  RESEND_API_URL: z.string().url().default('https://api.resend.com'),
  FROM_EMAIL: opt(z.string().email()),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  MAX_BODY_BYTES: Int(1024, 512 * 1024 * 1024).default(5 * 1024 * 1024),
  MAX_SPANS_PER_REQUEST: Int(1, 100_000).default(1000),
  MAX_TEXT_BYTES: Int(1024, 16 * 1024 * 1024).default(256 * 1024),
  MAX_ATTRIBUTES: Int(1, 10_000).default(128),
  MAX_TAGS: Int(1, 10_000).default(64),
  MAX_TAG_VALUE_BYTES: Int(16, 1024 * 1024).default(1024),
  MAX_ATTRIBUTE_VALUE_BYTES: Int(64, 16 * 1024 * 1024).default(64 * 1024),
  INGEST_QUEUE_MAX_SPANS: Int(100, 10_000_000).default(100_000),
  INGEST_FLUSH_MS: Int(0, 10_000).default(10),
  INGEST_BATCH_SPANS: Int(1, 1_000_000).default(10_000),
  INGEST_LOG_MAX_BYTES: Int(1024 * 1024, 1024 * 1024 * 1024 * 1024).default(1024 * 1024 * 1024),
  INGEST_MAX_FUTURE_SKEW_S: Int(0, 7 * 86_400).default(86_400),
  INGEST_MAX_INFLIGHT_REQUESTS: Int(1, 100_000).default(64),
  INGEST_MAX_INFLIGHT_BYTES: Int(1024, 64 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
  INGEST_PROJECT_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  INGEST_REFUSE_AFTER_STORE_FAILING_S: Int(1, 86_400).default(30),
  SHUTDOWN_DEADLINE_MS: Int(0, 600_000).default(10_000),
})

/** Every variable the process reads; `.env.example` lists exactly these (tested). */
export const ENV_VARIABLES: readonly string[] = Object.keys(Base.shape)

const Schema = Base.superRefine((env, ctx) => {
  const hasCredentials = Boolean(env.API_KEY || env.JWT_SECRET || env.JWT_JWKS_URL)
  if (env.LOCAL_MODE === false && !hasCredentials) {
    ctx.addIssue({
      code: 'custom',
      path: ['LOCAL_MODE'],
      message: 'false, but none of API_KEY, JWT_SECRET, JWT_JWKS_URL is set',
    })
  }
  if (env.LOCAL_MODE === true && hasCredentials) {
    // Silently ignoring configured credentials would open a server its operator believes is locked.
    ctx.addIssue({
      code: 'custom',
      path: ['LOCAL_MODE'],
      message: 'true, but credentials are configured (API_KEY, JWT_SECRET or JWT_JWKS_URL): unset one or the other',
    })
  }
  if (env.LOCAL_MODE === undefined && !hasCredentials && env.HOST !== undefined && !isLoopback(env.HOST)) {
    ctx.addIssue({
      code: 'custom',
      path: ['HOST'],
      message: `${env.HOST} is not loopback and no credentials are configured: set API_KEY, JWT_SECRET or JWT_JWKS_URL, or LOCAL_MODE=true to serve an open API on purpose`,
    })
  }
  if (env.JWT_SECRET && env.JWT_JWKS_URL) {
    ctx.addIssue({ code: 'custom', path: ['JWT_JWKS_URL'], message: 'set either JWT_SECRET or JWT_JWKS_URL, not both' })
  }
}).transform((env) => {
  const localMode = env.LOCAL_MODE ?? !(env.API_KEY || env.JWT_SECRET || env.JWT_JWKS_URL)
  // Without auth, listen on loopback only unless HOST says otherwise: an open API is never exposed by default.
  return { ...env, LOCAL_MODE: localMode, HOST: env.HOST ?? (localMode ? '127.0.0.1' : '0.0.0.0') }
})

export type Env = z.output<typeof Schema>

/** 127.0.0.0/8, ::1 and localhost: the addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

export class EnvError extends Error {}

/** Parses the environment once at start; the message names every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable (`API_KEY=` in a .env file) means unset, as in most tools.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const result = Schema.safeParse(present)
  if (result.success) return result.data
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`)
  throw new EnvError(`invalid configuration:\n${lines.join('\n')}`)
}

/** The CLI's own variables (`tollgate …`): it talks to a running server over HTTP, never to DATA_DIR. */
const CliSchema = z.object({
  TOLLGATE_URL: z.string().url().default('http://127.0.0.1:3001'),
  /** The instance key or an admin credential; read from the environment so it stays out of `ps` and shell history. */
  TOLLGATE_API_KEY: opt(z.string().min(1)),
  /** Falls back to the server's own API_KEY, so `docker exec <api> node apps/api/dist/cli.js …` needs nothing more. */
  API_KEY: opt(z.string().min(1)),
  /** Set: the CLI works on this Postgres directly instead of over HTTP. */
  TOLLGATE_DATABASE_URL: opt(z.string().regex(/^postgres(ql)?:\/\//, 'expected postgres:// or postgresql://')),
})
export interface CliEnv {
  TOLLGATE_URL: string
  TOLLGATE_API_KEY?: string | undefined
  TOLLGATE_DATABASE_URL?: string | undefined
}

export function parseCliEnv(source: Record<string, string | undefined>): CliEnv {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const result = CliSchema.safeParse(present)
  if (result.success)
    return {
      TOLLGATE_URL: result.data.TOLLGATE_URL,
      TOLLGATE_API_KEY: result.data.TOLLGATE_API_KEY ?? result.data.API_KEY,
      TOLLGATE_DATABASE_URL: result.data.TOLLGATE_DATABASE_URL,
    }
  throw new EnvError(
    `invalid configuration:\n${result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
  )
}
