import type { Caller } from '../context.js'

/**
 * The only paths answered without credentials (GET/HEAD). Everything else, including routes added
 * later and paths that match nothing, goes through authentication: secure by default.
 * `auth.routes.test.ts` enumerates the app's routes against this list.
 */
export function publicPaths(options: { metricsPublic: boolean }): ReadonlySet<string> {
  // /api/reports/keys: the public keys that check signed reports, for anyone holding one (docs/compliance.md).
  const paths = ['/health', '/api/health', '/ready', '/openapi.json', '/api/reports/keys']
  if (options.metricsPublic) paths.push('/metrics')
  return new Set(paths)
}

/**
 * The dashboard's static files and client routes (`routes/web/`), served bare (GET/HEAD) so the login page
 * can load; they hold no data: every call the page makes goes through authentication. Listed one by
 * one, never a catch-all, so `/api`, `/v1`, `/health`, `/ready`, `/metrics` and `/openapi.json` can never
 * be shadowed and a path that matches nothing still answers 401.
 */
export const WEB_PATHS =
  /^\/(?:|login|traces|traces\/[0-9A-Za-z-]{1,64}|cost|alerts|budgets|settings|favicon\.svg|assets\/[0-9A-Za-z._-]{1,128})$/

/** The dashboard's session cookie (`routes/session/`): the credential it was issued for, HttpOnly. */
export const SESSION_COOKIE = 'tollgate_session'

/**
 * A cookie is sent by the browser on its own, so a request authenticated by it that changes state must
 * also carry this header, which a cross-site page cannot set without a CORS preflight we never grant.
 */
export const CSRF_HEADER = 'x-tollgate-csrf'

export type Permission = 'ingest' | 'read' | 'admin'

/** Paths that take spans: they need a key with the `ingest` scope, whatever the method. */
const INGEST_PATHS = /^\/api\/ingest\/?$/

/**
 * What the SDKs call with the key they ingest with (packages/sdk: control.ts, the policy poller): their
 * reports are telemetry like spans, and the budgets they enforce must be readable with that key.
 */
const SDK_CALLS: Record<string, readonly Permission[]> = {
  'POST /api/circuit-breaker/state': ['ingest'],
  'POST /api/alerts/sdk-alert': ['ingest'],
  // agentwatch 0.2.1 posts its alerts under a doubled prefix.
  'POST /api/api/alerts/sdk-alert': ['ingest'],
  // Other clients' doors (routes/compat, routes/otlp): spans and events are ingest; what the aden SDK
  // reads to enforce budgets locally is readable with the key it reports with.
  'POST /v1/traces': ['ingest'],
  'POST /v1/spans': ['ingest'],
  'POST /v1/events/batch': ['ingest'],
  'POST /v1/control/events': ['ingest'],
  'GET /v1/control/policy': ['ingest', 'read'],
  'POST /v1/control/budget/validate': ['ingest', 'read'],
  'GET /tsdb/pricing': ['ingest', 'read'],
  'GET /api/policy': ['ingest', 'read'],
  // Checking a report's signature changes nothing: whoever reads may ask.
  'POST /api/reports/verify': ['read'],
  'HEAD /api/policy': ['ingest', 'read'],
  // The dashboard's login (a credential that reads) and logout (whoever holds the cookie).
  'POST /api/session': ['read'],
  'DELETE /api/session': ['ingest', 'read'],
}

/**
 * What a request needs (any one of), from its method and path alone: ingest paths and the SDKs' calls
 * as listed; other safe methods → `read`; any other method → `admin`. A new mutation is admin-only until
 * someone decides otherwise here.
 */
export function requiredPermission(method: string, path: string): readonly Permission[] {
  if (INGEST_PATHS.test(path)) return ['ingest']
  const sdk = SDK_CALLS[`${method} ${path.replace(/\/$/, '')}`]
  if (sdk) return sdk
  if (method === 'GET' || method === 'HEAD') return ['read']
  return ['admin']
}

/** Keys act by their scopes; a JWT reads, and an admin JWT also mutates; JWTs never ingest (keys do). */
export function permits(caller: Caller, needs: readonly Permission[]): boolean {
  return needs.some((need) => (need === 'admin' ? caller.role === 'admin' : caller.scopes.includes(need)))
}
