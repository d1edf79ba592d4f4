import type { Logger } from '../log.js'

// A rejected key or a missing endpoint is fixed by a person, not by the next attempt.
const AUTH_BACKOFF_MIN_MS = 60_000
const AUTH_BACKOFF_MAX_MS = 3_600_000

/** Where delivery stands, as `getState().delivery` shows it. */
export interface DeliveryState {
  /** `paused`: the backend refused the credentials or the endpoint (401/403/404); spans wait in the spool. */
  status: 'ok' | 'retrying' | 'paused'
  /** The status that paused or is delaying delivery. */
  http_status: number | null
  /** The request that was refused. */
  endpoint: string
  /** When the current pause or retry streak started (RFC 3339). */
  since: string | null
  /** Not sent again before this time (RFC 3339), unless a flush overrides a plain backoff. */
  retry_at: string | null
  /** Spans waiting in the spool or the memory queue. */
  pending: number
}

/** Tracks failures of the ingest endpoint; says so once, loudly, when only a person can fix them. */
export class DeliveryHealth {
  private authFailures = 0
  private trouble: { status: DeliveryState['status']; httpStatus: number | null; since: number } | undefined

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  ok(): void {
    this.authFailures = 0
    if (this.trouble?.status === 'paused') this.log.warn('delivery resumed', { endpoint: this.url })
    this.trouble = undefined
  }

  /** A transient failure (5xx, 429, network): a pause in force stays the headline. */
  retrying(reason: string): void {
    if (this.trouble?.status === 'paused') return
    const status = /^http_(\d+)$/.exec(reason)?.[1]
    this.trouble = {
      status: 'retrying',
      httpStatus: status ? Number(status) : null,
      since: this.trouble?.since ?? Date.now(),
    }
  }

  /** 401/403/404: returns how long to pause (1 min doubling to 1 h, jittered); warns once per status. */
  paused(status: number, random: () => number = Math.random): number {
    const ceiling = Math.min(AUTH_BACKOFF_MAX_MS, AUTH_BACKOFF_MIN_MS * 2 ** Math.min(this.authFailures, 10))
    const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2)
    this.authFailures++
    if (this.trouble?.status !== 'paused' || this.trouble.httpStatus !== status) {
      this.log.warn(
        `delivery paused: POST ${this.url} answered ${status}; spans stay in the spool and are retried later. Check the API key and the endpoint.`,
        { status, retry_in_s: Math.round(delay / 1000) },
      )
      this.trouble = { status: 'paused', httpStatus: status, since: Date.now() }
    }
    return delay
  }

  state(pausedUntil: number, pending: number): DeliveryState {
    const t = this.trouble
    return {
      status: t?.status ?? 'ok',
      http_status: t?.httpStatus ?? null,
      endpoint: this.url,
      since: t ? new Date(t.since).toISOString() : null,
      retry_at: t && pausedUntil > Date.now() ? new Date(pausedUntil).toISOString() : null,
      pending,
    }
  }
}
