import type { OpenAPIHono } from '@hono/zod-openapi'
import { openApiRoutes } from '../../lib/openapi-route.js'
import type { AppDeps, AppEnv } from '../../context.js'
import { registerIngest } from './post.js'

/** One per app: admission counters belong to the instance, not the module. */
export function ingestRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const routes = openApiRoutes()
  registerIngest(routes, {
    maxRequests: deps.env.INGEST_MAX_INFLIGHT_REQUESTS,
    maxBytes: deps.env.INGEST_MAX_INFLIGHT_BYTES,
    maxBodyBytes: deps.env.MAX_BODY_BYTES,
    projectShare: deps.env.INGEST_PROJECT_SHARE,
  })
  return routes
}
