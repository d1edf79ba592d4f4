import { z } from 'zod'

const Int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

/**
 * The worker's environment. The variables it shares with the API (ClickHouse, Kafka, DATA_DIR,
 * retention, log level, shutdown deadline) have the same names, meanings and defaults, so one `.env`
 * configures both; WORKER_* and KAFKA_TOPIC_* are the worker's own.
 */
const Schema = z.object({
  DATA_DIR: z.string().min(1).default('./.data'),
  CLICKHOUSE_URL: z.string().url().optional(),
  CLICKHOUSE_DB: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an identifier')
    .default('tollgate'),
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  KAFKA_BROKERS: z
    .string({ error: 'required: the worker consumes from Kafka (host:port,host:port)' })
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.length > 0 && list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)),
      'expected host:port[,host:port…]',
    ),
  KAFKA_CLIENT_ID: z.string().default('tollgate'),
  KAFKA_TOPIC_PARTITIONS: Int(1, 10_000).default(6),
  KAFKA_REPLICATION_FACTOR: Int(1, 100).default(1),
  DATA_RETENTION_DAYS: Int(1, 36500).default(30),
  WORKER_PORT: Int(0, 65535).default(3002),
  WORKER_HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  SHUTDOWN_DEADLINE_MS: Int(0, 600_000).default(10_000),
})

export type WorkerEnv = z.output<typeof Schema>

export class EnvError extends Error {}

/** Parses the environment once at start; the message names every bad variable. */
export function parseWorkerEnv(source: Record<string, string | undefined>): WorkerEnv {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const result = Schema.safeParse(present)
  if (result.success) return result.data
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`)
  throw new EnvError(`invalid configuration:\n${lines.join('\n')}`)
}
