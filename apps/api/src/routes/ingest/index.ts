import { Hono } from 'hono'
import type { AppDeps, AppEnv } from '../../context.js'
import { registerIngest } from './post.js'

/** One per app: admission counters belong to the instance, not the module. */
export function ingestRoutes(deps: AppDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()
  registerIngest(routes, {
    maxRequests: deps.env.INGEST_MAX_INFLIGHT_REQUESTS,
    maxBytes: deps.env.INGEST_MAX_INFLIGHT_BYTES,
    maxBodyBytes: deps.env.MAX_BODY_BYTES,
  })
  return routes
}
