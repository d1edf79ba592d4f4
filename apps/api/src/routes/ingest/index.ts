import type { OpenAPIHono } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { openApiRoutes } from '../../lib/openapi-route.js'
import type { AppEnv } from '../../context.js'
import { registerIngest } from './post.js'

/** `admission`: the app's one ingest admission, shared with every other door (see app.ts). */
export function ingestRoutes(admission: MiddlewareHandler<AppEnv>): OpenAPIHono<AppEnv> {
  const routes = openApiRoutes()
  registerIngest(routes, admission)
  return routes
}
