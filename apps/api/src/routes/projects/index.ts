import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../context.js'
import type { KeyStore } from '../../auth/key-store.js'
import { openApiRoutes } from '../../lib/openapi-route.js'
import { registerKeys } from './keys.js'
import { registerProjects } from './projects.js'

/** Projects and their API keys (mounted at /api/projects). Mutations are admin-only by the auth policy. */
export function projectRoutes(keys: KeyStore): OpenAPIHono<AppEnv> {
  const routes = openApiRoutes()
  registerProjects(routes, keys)
  registerKeys(routes, keys)
  return routes
}
