import { createHash } from 'node:crypto'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AlertEvent, BlockEvent } from './breaker/types.js'
import type { SpanExporter } from './exporters.js'
import type { BeforeRequestHook } from './request-hook.js'

export type Durability = 'durable_local' | 'best_effort'

/** Options of {@link init}. Every field is optional; environment variables fill the gaps. */
export interface InitOptions {
  /** Tollgate base URL (`TOLLGATE_ENDPOINT`, default `http://localhost:3001`). */
  endpoint?: string
  /** API key sent as `X-API-Key` (`TOLLGATE_API_KEY`); not needed in local mode. */
  apiKey?: string
  /** `durable_local` (default): SQLite spool before sending. `best_effort`: bounded memory queue. */
  durability?: Durability
  /** SQLite spool file (`TOLLGATE_SPOOL_PATH`), default under `~/.cache/tollgate/`. */
  spoolPath?: string
  flushIntervalMs?: number
  maxBatch?: number
  maxBatchBytes?: number
  /** Spool cap in bytes of span JSON; the oldest spans are dropped (and counted) beyond it. */
  maxSpoolBytes?: number
  /** Spans older than this are dropped (and counted) instead of being sent. */
  maxSpoolAgeDays?: number
  /** best_effort only: spans held in memory at most; newer spans are dropped (and counted) beyond it. */
  maxQueueSize?: number
  /** Never send `input`/`output` (prompts and completions). */
  zeroDataRetention?: boolean
  /** Send the SHA-256 (hex) of `user_id` instead of the id (`TOLLGATE_HASH_USER_IDS`). */
  hashUserIds?: boolean
  /** Tags added to every span (`TOLLGATE_TAGS`, JSON object or `k=v,k=v`). */
  tags?: Record<string, string>
  /** Fraction of traces kept, 0..1 (`TOLLGATE_SAMPLE_RATE`); decided per trace so traces stay whole. */
  sampleRate?: number
  /** Global circuit breaker: USD per rolling hour. */
  budgetPerHour?: number
  /** Global circuit breaker: error ratio 0..1 over 5 minutes (at least 10 calls). */
  maxErrorRate?: number
  /** Global circuit breaker: calls per rolling minute (loop detection). */
  maxCallsPerMinute?: number
  /** Throw {@link CircuitBreakerError} instead of only alerting. */
  blockOnThreshold?: boolean
  onAlert?: (alert: AlertEvent) => void | Promise<void>
  /** Runs (and is awaited) before a call is blocked; may call `event.monitor.pause()` etc. */
  onBlock?: (event: BlockEvent) => void | Promise<void>
  /**
   * Runs before each LLM request, after the budget checks: proceed, cancel (the call throws
   * {@link CircuitBreakerError}), throttle or degrade. Sync or async; fail-open if it throws.
   */
  beforeRequest?: BeforeRequestHook
  /**
   * Exporters that receive every span (console, JSONL file, your own backend), on top of
   * delivery to Tollgate. See `consoleExporter`, `fileExporter`, `filterExporter`.
   */
  onSpan?: SpanExporter | SpanExporter[]
  /**
   * `false`: nothing is sent to Tollgate and no spool is opened; spans only go to `onSpan`
   * (local development without a server). Default true (`TOLLGATE_DELIVER`).
   */
  deliver?: boolean
  /** `false` turns the SDK into a no-op (`TOLLGATE_ENABLED`). */
  enabled?: boolean
  /** Log SDK internals to stderr (`TOLLGATE_DEBUG`); never logs keys or prompts. */
  debug?: boolean
  /** HTTP timeout of one ingest request. */
  requestTimeoutMs?: number
  /** How often `/api/policy` is polled; 0 disables server budgets. */
  policyPollIntervalMs?: number
  /** How long `shutdown()` and the exit hook wait for delivery before leaving spans in the spool. */
  shutdownTimeoutMs?: number
}

export interface ResolvedConfig {
  endpoint: string
  apiKey: string | undefined
  durability: Durability
  spoolPath: string
  flushIntervalMs: number
  maxBatch: number
  maxBatchBytes: number
  maxSpoolBytes: number
  maxSpoolAgeMs: number
  maxQueueSize: number
  zeroDataRetention: boolean
  hashUserIds: boolean
  tags: Record<string, string>
  sampleRate: number
  budgetPerHour: number | undefined
  maxErrorRate: number | undefined
  maxCallsPerMinute: number | undefined
  blockOnThreshold: boolean
  onAlert: InitOptions['onAlert']
  onBlock: InitOptions['onBlock']
  beforeRequest: BeforeRequestHook | undefined
  exporters: SpanExporter[]
  deliver: boolean
  enabled: boolean
  debug: boolean
  requestTimeoutMs: number
  policyPollIntervalMs: number
  shutdownTimeoutMs: number
}

export const DEFAULTS = {
  endpoint: 'http://localhost:3001',
  flushIntervalMs: 5000,
  maxBatch: 100,
  maxBatchBytes: 256 * 1024,
  maxSpoolBytes: 100 * 1024 * 1024,
  maxSpoolAgeDays: 7,
  maxQueueSize: 10_000,
  requestTimeoutMs: 10_000,
  policyPollIntervalMs: 30_000,
  shutdownTimeoutMs: 5000,
} as const

/** Server limits (the server's MAX_BODY_BYTES, MAX_SPANS_PER_REQUEST, MAX_TEXT_BYTES): the SDK never builds a request beyond them. */
export const SERVER_MAX_SPANS = 1000
export const SERVER_MAX_BYTES = 5 * 1024 * 1024

type Env = Record<string, string | undefined>

function bool(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined
  return !['0', 'false', 'no', 'off'].includes(v.trim().toLowerCase())
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined
  const n = Number(v)
  return Number.isFinite(n) ? n : undefined
}

/** `{"a":"b"}` or `a=b,c=d`; anything unparsable yields no tags rather than an error (fail-open). */
export function parseTags(v: string | undefined): Record<string, string> {
  if (!v) return {}
  const out: Record<string, string> = {}
  const text = v.trim()
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text)
      if (parsed && typeof parsed === 'object') {
        for (const [k, val] of Object.entries(parsed)) if (val !== null && val !== undefined) out[k] = String(val)
      }
    } catch {
      return {}
    }
    return out
  }
  for (const pair of text.split(',')) {
    const i = pair.indexOf('=')
    if (i > 0) out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim()
  }
  return out
}

function positive(v: number | undefined, fallback: number): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback
}

function optionalPositive(v: number | undefined): number | undefined {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : undefined
}

/**
 * The spool file is per (endpoint, key): a process can only deliver what it has a key for,
 * and processes of the same app share a spool so a restart delivers what a crash left.
 */
export function defaultSpoolPath(endpoint: string, apiKey: string | undefined): string {
  const id = createHash('sha256')
    .update(`${endpoint}\n${apiKey ?? ''}`)
    .digest('hex')
    .slice(0, 12)
  let base: string
  try {
    base = join(homedir(), '.cache', 'tollgate')
  } catch {
    base = join(tmpdir(), 'tollgate')
  }
  return join(base, `spool-${id}.sqlite`)
}

/** The only place the SDK reads the environment. */
export function resolveConfig(options: InitOptions = {}, env: Env = process.env): ResolvedConfig {
  const endpoint = (options.endpoint ?? env.TOLLGATE_ENDPOINT ?? DEFAULTS.endpoint).replace(/\/+$/, '')
  const apiKey = options.apiKey ?? (env.TOLLGATE_API_KEY || undefined)
  const envDurability = env.TOLLGATE_DURABILITY
  const durability: Durability =
    options.durability ??
    (envDurability === 'best_effort' || envDurability === 'durable_local' ? envDurability : 'durable_local')
  const sampleRate = options.sampleRate ?? num(env.TOLLGATE_SAMPLE_RATE) ?? 1
  const maxBatch = Math.min(positive(options.maxBatch, DEFAULTS.maxBatch), SERVER_MAX_SPANS)
  const maxBatchBytes = Math.min(positive(options.maxBatchBytes, DEFAULTS.maxBatchBytes), SERVER_MAX_BYTES)
  return {
    endpoint,
    apiKey,
    durability,
    spoolPath: options.spoolPath ?? env.TOLLGATE_SPOOL_PATH ?? defaultSpoolPath(endpoint, apiKey),
    flushIntervalMs: positive(options.flushIntervalMs, DEFAULTS.flushIntervalMs),
    maxBatch: Math.floor(maxBatch),
    maxBatchBytes: Math.floor(maxBatchBytes),
    maxSpoolBytes: positive(options.maxSpoolBytes, DEFAULTS.maxSpoolBytes),
    maxSpoolAgeMs: positive(options.maxSpoolAgeDays, DEFAULTS.maxSpoolAgeDays) * 86_400_000,
    maxQueueSize: Math.floor(positive(options.maxQueueSize, DEFAULTS.maxQueueSize)),
    zeroDataRetention: options.zeroDataRetention ?? bool(env.TOLLGATE_ZERO_DATA_RETENTION) ?? false,
    hashUserIds: options.hashUserIds ?? bool(env.TOLLGATE_HASH_USER_IDS) ?? false,
    tags: { ...parseTags(env.TOLLGATE_TAGS), ...(options.tags ?? {}) },
    sampleRate: Number.isFinite(sampleRate) ? Math.min(1, Math.max(0, sampleRate)) : 1,
    budgetPerHour: optionalPositive(options.budgetPerHour),
    maxErrorRate: optionalPositive(options.maxErrorRate),
    maxCallsPerMinute: optionalPositive(options.maxCallsPerMinute),
    blockOnThreshold: options.blockOnThreshold ?? false,
    onAlert: options.onAlert,
    onBlock: options.onBlock,
    beforeRequest: typeof options.beforeRequest === 'function' ? options.beforeRequest : undefined,
    exporters: (Array.isArray(options.onSpan) ? options.onSpan : options.onSpan ? [options.onSpan] : []).filter(
      (e) => typeof e === 'function',
    ),
    deliver: options.deliver ?? bool(env.TOLLGATE_DELIVER) ?? true,
    enabled: options.enabled ?? bool(env.TOLLGATE_ENABLED) ?? true,
    debug: options.debug ?? bool(env.TOLLGATE_DEBUG) ?? false,
    requestTimeoutMs: positive(options.requestTimeoutMs, DEFAULTS.requestTimeoutMs),
    policyPollIntervalMs:
      options.deliver === false
        ? 0
        : options.policyPollIntervalMs !== undefined && options.policyPollIntervalMs >= 0
          ? options.policyPollIntervalMs
          : DEFAULTS.policyPollIntervalMs,
    shutdownTimeoutMs: positive(options.shutdownTimeoutMs, DEFAULTS.shutdownTimeoutMs),
  }
}
