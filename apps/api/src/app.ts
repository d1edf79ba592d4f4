import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { AppDeps, AppEnv } from './context.js'
import { authenticate } from './middleware/auth.js'
import { lifecycleGuard } from './middleware/admission.js'
import { requestContext } from './middleware/request.js'
import { errorToResponse, problem } from './lib/problem.js'
import { healthRoutes } from './routes/health/index.js'
import { ingestRoutes } from './routes/ingest/index.js'
import { traceRoutes } from './routes/traces/index.js'

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.use('*', requestContext({ deps }))
  app.use('*', lifecycleGuard())
  const origins = deps.env.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean)
  if (origins.length > 0) app.use('*', cors({ origin: origins, exposeHeaders: ['Retry-After', 'X-Request-Id'] }))

  // Health first: registered before the authenticated /api sub-app, so it answers without credentials.
  app.route('/', healthRoutes)

  const api = new Hono<AppEnv>()
  api.use('*', authenticate({ env: deps.env }))
  api.route('/ingest', ingestRoutes(deps))
  api.route('/traces', traceRoutes)
  app.route('/api', api)

  app.notFound((c) => problem(c, 404, 'not-found', 'Not found', `no route for ${c.req.method} ${c.req.path}`))
  app.onError(errorToResponse)
  return app
}
