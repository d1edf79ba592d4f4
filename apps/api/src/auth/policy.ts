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
  'GET /api/policy': ['ingest', 'read'],
  // Checking a report's signature changes nothing: whoever reads may ask.
  'POST /api/reports/verify': ['read'],
  'HEAD /api/policy': ['ingest', 'read'],
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
