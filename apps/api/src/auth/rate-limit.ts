import type { MiddlewareHandler } from 'hono'
import { LRUCache } from 'lru-cache'
import { RateLimitedError } from '@tollgate/core'
import type { AppEnv } from '../context.js'

export interface BucketConfig {
  /** Tokens added per second; 0 = unlimited. */
  perSecond: number
  burst: number
}

export interface TakeResult {
  ok: boolean
  retryAfterS: number
  /** Of the tightest bucket (the one a client hits first), for the RateLimit-* headers; 0 = unlimited. */
  limit: number
  remaining: number
  resetS: number
}

/**
 * Where buckets live. `TokenBuckets` keeps them in this process; a store shared by replicas implements
 * the same `take` (atomically: all buckets or none) and may answer asynchronously.
 */
export interface BucketStore {
  take(entries: ReadonlyArray<{ id: string; config: BucketConfig }>): TakeResult | Promise<TakeResult>
}

interface Bucket {
  tokens: number
  at: number
}

/**
 * Token buckets in this process's memory. With several replicas each holds its own buckets, so the
 * effective limit is replicas × the configured one; a shared limit needs the same `take` over a shared
 * store (e.g. Redis with a Lua script doing this arithmetic atomically) — see docs/security.md.
 */
export class TokenBuckets implements BucketStore {
  private readonly buckets = new LRUCache<string, Bucket>({ max: 100_000 })

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes one token from every bucket if all have one; otherwise takes none and says how long to wait. */
  take(entries: ReadonlyArray<{ id: string; config: BucketConfig }>): TakeResult {
    const now = this.now()
    const active = entries.filter((e) => e.config.perSecond > 0)
    const states = active.map(({ id, config }) => {
      const b = this.buckets.get(id) ?? { tokens: config.burst, at: now }
      const tokens = Math.min(config.burst, b.tokens + ((now - b.at) / 1000) * config.perSecond)
      return { id, config, tokens }
    })
    const ok = states.every((s) => s.tokens >= 1)
    for (const s of states) this.buckets.set(s.id, { tokens: ok ? s.tokens - 1 : s.tokens, at: now })
    // Report the tightest bucket: the one a client will hit first.
    const tight = states.reduce<(typeof states)[number] | undefined>(
      (min, s) => (!min || s.tokens < min.tokens ? s : min),
      undefined,
    )
    if (!tight) return { ok: true, retryAfterS: 0, limit: 0, remaining: 0, resetS: 0 }
    const remaining = Math.max(0, Math.floor(ok ? tight.tokens - 1 : tight.tokens))
    const waitS = ok ? 0 : (1 - tight.tokens) / tight.config.perSecond
    const resetS = Math.ceil((tight.config.burst - (ok ? tight.tokens - 1 : tight.tokens)) / tight.config.perSecond)
    return { ok, retryAfterS: Math.max(1, Math.ceil(waitS)), limit: tight.config.burst, remaining, resetS }
  }
}

/**
 * Per key and per project, after authentication (the caller says which buckets). Local mode has no
 * keys and one user on loopback: not limited. 429 + Retry-After + RateLimit-* headers.
 */
export function rateLimit(options: {
  perKey: BucketConfig
  perProject: BucketConfig
  buckets?: BucketStore
}): MiddlewareHandler<AppEnv> {
  const buckets = options.buckets ?? new TokenBuckets()
  return async function rateLimitMiddleware(c, next) {
    const caller = c.get('caller') as AppEnv['Variables']['caller'] | undefined
    // Allow-listed paths (no caller) and local mode are not limited.
    if (!caller || caller.via === 'local') return next()
    const who = caller.via === 'api-key' ? 'api-key' : `${caller.via}:${caller.actor ?? ''}`
    const r = await buckets.take([
      { id: `key:${who}`, config: options.perKey },
      { id: `project:${caller.projectId}`, config: options.perProject },
    ])
    if (r.limit > 0) {
      c.header('RateLimit-Limit', String(r.limit))
      c.header('RateLimit-Remaining', String(r.remaining))
      c.header('RateLimit-Reset', String(r.resetS))
    }
    if (!r.ok) throw new RateLimitedError(r.retryAfterS)
    return next()
  }
}
