import type { Caller } from '../context.js'

/**
 * The only paths answered without credentials (GET/HEAD). Everything else, including routes added
 * later and paths that match nothing, goes through authentication: secure by default.
 * `auth.routes.test.ts` enumerates the app's routes against this list.
 */
export function publicPaths(options: { metricsPublic: boolean }): ReadonlySet<string> {
  const paths = ['/health', '/api/health', '/ready', '/openapi.json']
  if (options.metricsPublic) paths.push('/metrics')
  return new Set(paths)
}

export type Permission = 'ingest' | 'read' | 'admin'

/** Paths that take spans: they need a key with the `ingest` scope, whatever the method. */
const INGEST_PATHS = /^\/api\/ingest\/?$/

/**
 * What a request needs, from its method and path alone: ingest paths → `ingest`; other safe methods →
 * `read`; any other method → `admin`. A new mutation is admin-only until someone decides otherwise.
 */
export function requiredPermission(method: string, path: string): Permission {
  if (INGEST_PATHS.test(path)) return 'ingest'
  if (method === 'GET' || method === 'HEAD') return 'read'
  return 'admin'
}

/** Keys act by their scopes; a JWT reads, and an admin JWT also mutates; JWTs never ingest (keys do). */
export function permits(caller: Caller, need: Permission): boolean {
  if (need === 'admin') return caller.role === 'admin'
  return caller.scopes.includes(need)
}
