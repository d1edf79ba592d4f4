import { Hono } from 'hono'
import type { AppEnv } from '../../context.js'
import type { KeyStore } from '../../auth/key-store.js'
import { registerKeys } from './keys.js'
import { registerProjects } from './projects.js'

/** Projects and their API keys (mounted at /api/projects). Mutations are admin-only by the auth policy. */
export function projectRoutes(keys: KeyStore): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()
  registerProjects(routes, keys)
  registerKeys(routes, keys)
  return routes
}
