import type { PolicyCache } from '@tollgate/store'
import type { MiddlewareHandler } from 'hono'
import type { AppDeps, AppEnv } from '../../context.js'
import { openApiRoutes } from '../../lib/openapi-route.js'
import { otlpRoutes } from '../otlp/index.js'
import { adenRoutes } from './aden.js'
import { clientRoutes } from './clients.js'

/**
 * The doors other clients already know, at the paths they post to (mounted at the root): OTLP/HTTP
 * `/v1/traces`, instrumentation-sdk `/v1/spans`, tokenome `/v1/events/batch`, and aden's control plane
 * `/v1/control/*` + `/tsdb/pricing`. They share `POST /api/ingest`'s admission (app.ts); every span goes through the ingest
 * verb as `POST /api/ingest`'s do.
 */
export function compatRoutes(deps: AppDeps, policies: PolicyCache, admission: MiddlewareHandler<AppEnv>) {
  const routes = openApiRoutes()
  routes.route('/', otlpRoutes(admission))
  routes.route('/', clientRoutes(admission))
  routes.route('/', adenRoutes(deps, policies, admission))
  return routes
}
