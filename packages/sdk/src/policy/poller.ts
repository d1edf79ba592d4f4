import type { Logger } from '../log.js'
import { SDK_NAME, SDK_VERSION } from '../version.js'
import type { LocalSpend } from './evaluate.js'
import type { Policy } from './types.js'
import { parsePolicy } from './types.js'

export interface PollerOptions {
  endpoint: string
  apiKey: string | undefined
  intervalMs: number
  fetch: typeof fetch
  log: Logger
}

/**
 * Keeps the server's budget policy fresh. Fail-open: a 404 means "no server budgets", an
 * unreachable server keeps the last policy only until it is stale, then enforces nothing.
 */
export class PolicyPoller {
  private policy: Policy | undefined
  private fetchedAt = 0
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  /** Spend seen locally since the policy was fetched, per budget id. */
  readonly localSpend: LocalSpend = new Map()

  constructor(private readonly opts: PollerOptions) {}

  start(): void {
    if (this.opts.intervalMs <= 0) return
    void this.poll()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
  }

  /** The policy in force, or undefined when there is none or it went stale. */
  current(now = Date.now()): Policy | undefined {
    if (!this.policy) return undefined
    const interval = this.policy.poll_interval_s ? this.policy.poll_interval_s * 1000 : this.opts.intervalMs
    if (now - this.fetchedAt > Math.max(5 * interval, 300_000)) return undefined
    return this.policy
  }

  info(): { version: string | null; fetched_at: string | null; budgets: number } | null {
    if (!this.policy) return null
    return {
      version: this.policy.version ?? null,
      fetched_at: new Date(this.fetchedAt).toISOString(),
      budgets: this.policy.budgets.length,
    }
  }

  /** One poll; resolves when the policy is updated (tests await it). */
  async poll(): Promise<void> {
    let next = this.opts.intervalMs
    try {
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': `${SDK_NAME}/${SDK_VERSION}` }
      if (this.opts.apiKey) headers['x-api-key'] = this.opts.apiKey
      const res = await this.opts.fetch(`${this.opts.endpoint}/api/policy`, {
        headers,
        signal: AbortSignal.timeout(5000),
      })
      if (res.status === 404) {
        await res.body?.cancel().catch(() => undefined)
        this.policy = undefined
        next = Math.max(next, 300_000)
      } else if (res.ok) {
        const parsed = parsePolicy(await res.json())
        if (parsed) {
          this.policy = parsed
          this.fetchedAt = Date.now()
          this.localSpend.clear()
          if (parsed.poll_interval_s) next = parsed.poll_interval_s * 1000
        } else this.opts.log.debug('policy ignored: unexpected shape')
      } else {
        await res.body?.cancel().catch(() => undefined)
        this.opts.log.debug('policy poll failed', { status: res.status })
      }
    } catch (err) {
      this.opts.log.debug('policy poll failed', { error: err instanceof Error ? err.name : 'error' })
    }
    if (this.timer) clearTimeout(this.timer)
    if (!this.stopped && this.opts.intervalMs > 0) this.timer = setTimeout(() => void this.poll(), next).unref()
  }

  /** Adds a finished call's spend to every budget id it matched. */
  addSpend(budgetIds: readonly string[], usd: number, tokens: number): void {
    for (const id of budgetIds) {
      const cur = this.localSpend.get(id) ?? { usd: 0, tokens: 0 }
      cur.usd += usd
      cur.tokens += tokens
      this.localSpend.set(id, cur)
    }
  }
}
