import { OpenAPIHono } from '@hono/zod-openapi'
import { PolicyCache } from '@tollgate/store'
import { cors } from 'hono/cors'
import type { AppDeps, AppEnv } from './context.js'
import { createJwtVerifier } from './auth/jwt.js'
import { KeyStore } from './auth/key-store.js'
import { rateLimit } from './auth/rate-limit.js'
import { authenticate } from './middleware/auth.js'
import { admission, lifecycleGuard } from './middleware/admission.js'
import { requestContext } from './middleware/request.js'
import { allowedMethods } from './lib/http-errors.js'
import { errorToResponse, problem } from './lib/problem.js'
import { openApiDocument } from './openapi.js'
import { healthRoutes } from './routes/health/index.js'
import { ingestRoutes } from './routes/ingest/index.js'
import { projectRoutes } from './routes/projects/index.js'
import { traceRoutes } from './routes/traces/index.js'
import { metricsRoutes } from './routes/metrics/index.js'
import { costRoutes } from './routes/cost/index.js'
import { budgetRoutes } from './routes/budgets/index.js'
import { policyRoutes } from './routes/policy/index.js'
import { circuitBreakerRoutes } from './routes/circuit-breaker/index.js'
import { alertRoutes, sdkAlertRoutes } from './routes/alerts/index.js'
import { compatRoutes } from './routes/compat/index.js'
import { spanRoutes } from './routes/spans/index.js'
import { scanRoutes } from './routes/scan/index.js'
import { auditRoutes } from './routes/audit/index.js'
import { complianceRoutes } from './routes/compliance/index.js'
import { reportRoutes } from './routes/reports/index.js'
import { sessionRoutes } from './routes/session/index.js'
import { webRoutes } from './routes/web/index.js'

const API_VERSION = '0.1.0'

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>()
  app.use('*', requestContext({ deps }))
  app.use('*', lifecycleGuard())
  const origins = deps.env.CORS_ORIGINS.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (origins.length > 0)
    app.use(
      '*',
      cors({
        origin: origins,
        exposeHeaders: [
          'Retry-After',
          'X-Request-Id',
          'WWW-Authenticate',
          'RateLimit-Limit',
          'RateLimit-Remaining',
          'RateLimit-Reset',
        ],
      }),
    )

  // One authentication for every route; only the allow-list in auth/policy.ts passes bare (docs/security.md).
  const { env } = deps
  const keys = new KeyStore(deps.pg.db, env.API_KEY_CACHE_TTL_MS, (error) =>
    deps.logger.warn('auth.touch_failed', { error: String(error) }),
  )
  const jwt = createJwtVerifier({
    secret: env.JWT_SECRET,
    jwksUrl: env.JWT_JWKS_URL,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
  })
  app.use(
    '*',
    authenticate({ localMode: env.LOCAL_MODE, instanceKey: env.API_KEY, keys, jwt, metricsPublic: env.METRICS_PUBLIC }),
  )
  app.use(
    '*',
    rateLimit({
      perKey: { perSecond: env.RATE_LIMIT_KEY_PER_S, burst: env.RATE_LIMIT_KEY_BURST },
      perProject: { perSecond: env.RATE_LIMIT_PROJECT_PER_S, burst: env.RATE_LIMIT_PROJECT_BURST },
    }),
  )

  app.route('/', healthRoutes)

  const api = new OpenAPIHono<AppEnv>()
  // One admission for every ingest door (here and compatRoutes below): the in-flight bounds are the
  // process's, however the requests are spread over the doors.
  const ingestAdmission = admission({
    maxRequests: env.INGEST_MAX_INFLIGHT_REQUESTS,
    maxBytes: env.INGEST_MAX_INFLIGHT_BYTES,
    maxBodyBytes: env.MAX_BODY_BYTES,
    projectShare: env.INGEST_PROJECT_SHARE,
  })
  api.route('/ingest', ingestRoutes(ingestAdmission))
  api.route('/traces', traceRoutes)
  api.route('/projects', projectRoutes(keys))
  api.route('/metrics', metricsRoutes)
  api.route('/cost', costRoutes)
  // Budget edits on this process show in its policy at once; on other processes within the TTL.
  const policies = new PolicyCache(env.POLICY_CACHE_TTL_MS)
  api.route('/budgets', budgetRoutes(policies))
  api.route('/policy', policyRoutes(policies))
  api.route('/circuit-breaker', circuitBreakerRoutes)
  api.route('/alerts', alertRoutes)
  api.route('/traces', complianceRoutes)
  api.route('/reports', reportRoutes)
  api.route('/audit', auditRoutes)
  // Older SDKs post to a doubled prefix.
  api.route('/api/alerts', sdkAlertRoutes)
  api.route('/spans', spanRoutes)
  api.route('/scan', scanRoutes)
  api.route('/session', sessionRoutes)
  app.route('/api', api)
  app.route('/', webRoutes())
  app.route('/', compatRoutes(deps, policies, ingestAdmission))

  // Generated once, on first request, from every route declared with createRoute (lib/openapi-route.ts).
  let document: Record<string, unknown> | undefined
  app.get('/openapi.json', (c) => {
    document ??= openApiDocument(
      API_VERSION,
      app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: '', version: '' } }),
    )
    return c.json(document)
  })

  app.notFound((c) => {
    // A known path with another method: 405 + Allow, not a 404 that says the path does not exist.
    const allow = allowedMethods(app.routes, c.req.path)
    if (allow.length > 0) {
      c.header('Allow', allow.join(', '))
      return problem(
        c,
        405,
        'method-not-allowed',
        'Method not allowed',
        `${c.req.method} is not served on ${c.req.path}; use ${allow.join(', ')}`,
      )
    }
    return problem(c, 404, 'not-found', 'Not found', `no route for ${c.req.method} ${c.req.path}`)
  })
  app.onError(errorToResponse)
  return app
}
