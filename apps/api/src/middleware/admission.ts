import type { MiddlewareHandler } from 'hono'
import { UnavailableError } from '@tollgate/core'
import type { AppEnv } from '../context.js'

const UNKNOWN_LENGTH_BYTES = 256 * 1024

export interface AdmissionOptions {
  maxRequests: number
  maxBytes: number
  /** The most a body may be; a declared length is charged up to this. */
  maxBodyBytes: number
  /**
   * The part of `maxRequests` and `maxBytes` one project may hold while another project is ingesting
   * (in flight, or seen within the last 10 s), so a noisy project cannot refuse a quiet one. Alone, a
   * project may use everything. 1 = no share (the default here; the server sets INGEST_PROJECT_SHARE).
   */
  projectShare?: number
}

/** How long a project counts as ingesting after its last request arrived. */
const ACTIVE_MS = 10_000

/**
 * Admission control for ingest, before a body is read: at most `maxRequests` requests and `maxBytes`
 * declared bytes in flight, and nothing while the transport is refusing (store failing, backlog full).
 * Refusals are answered at once with 503 + Retry-After and close the connection (the unread body is
 * not worth draining), so an overload costs the event loop almost nothing and `/health` and reads keep
 * answering.
 */
export function admission(options: AdmissionOptions): MiddlewareHandler<AppEnv> {
  let requests = 0
  let bytes = 0
  const share = options.projectShare ?? 1
  const shareRequests = Math.max(1, Math.floor(options.maxRequests * share))
  const shareBytes = options.maxBytes * share
  const projects = new Map<string, { requests: number; bytes: number; seenAt: number }>()
  /** Whether a project other than `id` is ingesting; forgets projects idle past ACTIVE_MS. */
  const othersActive = (id: string, now: number): boolean => {
    let active = false
    for (const [other, p] of projects) {
      if (p.requests === 0 && now - p.seenAt > ACTIVE_MS) projects.delete(other)
      else if (other !== id) active = true
    }
    return active
  }
  return async function admissionMiddleware(c, next) {
    const { transport, metrics, env } = c.var.deps
    const declared = Number(c.req.header('content-length'))
    // A body of unknown length (chunked, or an in-process request) is charged a typical batch, not the
    // most it may be: charging MAX_BODY_BYTES let a dozen such requests refuse everyone. The request
    // count still bounds the worst case, and each body is cut at MAX_BODY_BYTES as it is read.
    const cost =
      Number.isFinite(declared) && declared >= 0
        ? Math.min(declared, options.maxBodyBytes)
        : Math.min(UNKNOWN_LENGTH_BYTES, options.maxBodyBytes)
    const health = transport.health()
    const now = Date.now()
    const projectId = c.var.caller.projectId
    let project = projects.get(projectId)
    if (!project) {
      if (projects.size >= 1024) othersActive(projectId, now)
      projects.set(projectId, (project = { requests: 0, bytes: 0, seenAt: now }))
    }
    project.seenAt = now
    let reason: string | null = null
    if (requests + 1 > options.maxRequests || (requests > 0 && bytes + cost > options.maxBytes)) reason = 'overloaded'
    else if (
      share < 1 &&
      (project.requests + 1 > shareRequests || (project.requests > 0 && project.bytes + cost > shareBytes)) &&
      othersActive(projectId, now)
    )
      reason = 'project_share'
    else if (health.storeFailingForMs > env.INGEST_REFUSE_AFTER_STORE_FAILING_S * 1000) reason = 'store_failing'
    else if (health.backlogRows >= env.INGEST_QUEUE_MAX_SPANS) reason = 'backlog_full'
    if (reason) {
      metrics.ingestRefused.inc({ reason })
      c.header('Connection', 'close')
      throw new UnavailableError(
        reason === 'store_failing'
          ? 'clickhouse'
          : reason === 'project_share'
            ? "ingest (this project's share of the server is in use)"
            : `ingest (${reason.replace('_', ' ')})`,
        reason === 'store_failing' ? 5 : 1,
      )
    }
    requests++
    bytes += cost
    project.requests++
    project.bytes += cost
    const mine = project
    try {
      await next()
    } finally {
      requests--
      bytes -= cost
      mine.requests--
      mine.bytes -= cost
      mine.seenAt = Date.now()
    }
  }
}

/** After SIGTERM: every response closes its connection, and requests that still arrive get 503. */
export function lifecycleGuard(): MiddlewareHandler<AppEnv> {
  return async function lifecycleMiddleware(c, next) {
    const { lifecycle } = c.var.deps
    if (lifecycle.stopping) {
      c.header('Connection', 'close')
      throw new UnavailableError('server (shutting down)', 5)
    }
    await next()
    if (lifecycle.stopping) c.res.headers.set('Connection', 'close')
  }
}
