import type { Context } from 'hono'
import { appendAudit, canonicalDetails, lastAuditEntry, type Db } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import type { Env } from '../../env.js'
import type { Logger } from '../../lib/logger.js'

/**
 * The chain of instance-wide entries (configuration at start). No caller can hold this project id: a
 * JWT's project_id must be non-empty and project ids are never empty.
 */
export const INSTANCE_CHAIN = ''

/** What a log line may say about a failed append: the error's class and first line, no data. */
const errorCause = (error: unknown): Record<string, unknown> => ({
  error_class: error instanceof Error ? error.name : typeof error,
  error: (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 300),
})

export interface AuditEvent {
  action: string
  targetType: string
  targetId: string
  traceId?: string | undefined
  /** Never a secret, a prompt or PII: ids, names, thresholds, states. */
  details?: Record<string, unknown> | undefined
  /** Defaults to the caller's project (an instance admin managing another project's keys names it). */
  projectId?: string | undefined
}

/** Fields whose values may be credentials (a Slack webhook URL is one): the log says whether they are set, not what. */
const SECRET_FIELD = /target|url|webhook|secret|password|token|^key$|api_key/i

/** A copy of `value` with every secret-looking field replaced by `(set)`/null; depth-limited. */
export function withoutSecrets(value: unknown, depth = 0): unknown {
  if (value instanceof Date) return value.toISOString()
  if (depth > 6 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v, depth + 1))
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_FIELD.test(k) && v !== null && v !== undefined && typeof v !== 'boolean'
        ? '(set)'
        : withoutSecrets(v, depth + 1),
    ]),
  )
}

/** Who did it, for the log: the key id or token subject, else how the caller authenticated. Never a secret. */
export const actorOf = (c: Context<AppEnv>): string => c.var.caller.actor ?? c.var.caller.via

/**
 * Appends an audit entry for a change the request has made. The change is already stored when this runs,
 * so a failed append does not fail the request (a retry would repeat the change): it is logged at error
 * and shows as a gap in the compliance checks (docs/compliance.md).
 */
export async function recordAudit(c: Context<AppEnv>, event: AuditEvent): Promise<void> {
  const { deps, caller } = c.var
  try {
    await appendAudit(deps.pg.db, {
      projectId: event.projectId ?? caller.projectId,
      actor: actorOf(c),
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId,
      traceId: event.traceId,
      details: withoutSecrets(event.details ?? {}) as Record<string, unknown>,
    })
  } catch (error) {
    deps.logger.error('audit.append_failed', { action: event.action, project: caller.projectId, ...errorCause(error) })
  }
}

/** The settings that shape what is recorded and kept; no secret, URL or key material. */
export function auditedConfig(env: Env): Record<string, unknown> {
  return {
    data_retention_days: env.DATA_RETENTION_DAYS,
    zero_data_retention: env.ZERO_DATA_RETENTION,
    pii_policy: env.PII_POLICY,
    local_mode: env.LOCAL_MODE,
    auth: { api_key: Boolean(env.API_KEY), jwt_secret: Boolean(env.JWT_SECRET), jwt_jwks: Boolean(env.JWT_JWKS_URL) },
    clickhouse: env.CLICKHOUSE_URL ? 'server' : 'embedded',
    postgres: env.DATABASE_URL ? 'server' : 'embedded',
    kafka: Boolean(env.KAFKA_BROKERS),
    report_signing_key: env.REPORT_SIGNING_KEY ? 'REPORT_SIGNING_KEY' : 'generated under DATA_DIR',
    max_text_bytes: env.MAX_TEXT_BYTES,
    embedding_sample_rate: env.EMBEDDING_SAMPLE_RATE,
    prices_file: Boolean(env.PRICES_FILE),
  }
}

/** At every start: the configuration in the instance chain, with the settings that changed since the last start. */
export async function recordStartConfig(
  db: Db,
  env: Env,
  logger: Logger,
  extra: Record<string, unknown> = {},
): Promise<void> {
  try {
    const config = { ...auditedConfig(env), ...extra }
    const last = await lastAuditEntry(db, { projectId: INSTANCE_CHAIN, action: 'config.start' })
    const before = last ? ((JSON.parse(last.details) as { config?: Record<string, unknown> }).config ?? {}) : {}
    // Compared canonically: the stored details have their keys sorted.
    const changed = Object.keys(config).filter(
      (k) => canonicalDetails({ v: config[k] }) !== canonicalDetails({ v: before[k] }),
    )
    await appendAudit(db, {
      projectId: INSTANCE_CHAIN,
      actor: 'system',
      action: 'config.start',
      targetType: 'instance',
      targetId: 'config',
      details: { config, changed: last ? changed : ['(first start)'] },
    })
  } catch (error) {
    logger.error('audit.append_failed', { action: 'config.start', ...errorCause(error) })
  }
}
