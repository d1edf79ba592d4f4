import { randomUUID } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { AppDeps, AppEnv } from '../context.js'

/** Sets deps and a request id, writes one log event per request (4xx info, 5xx error), counts it in metrics. */
export function requestContext(options: { deps: AppDeps }): MiddlewareHandler<AppEnv> {
  return async function requestContextMiddleware(c, next) {
    const started = performance.now()
    const incoming = c.req.header('x-request-id')
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID()
    c.set('deps', options.deps)
    c.set('requestId', requestId)
    c.header('X-Request-Id', requestId)
    await next()
    const status = c.res.status
    const seconds = (performance.now() - started) / 1000
    // The route pattern, not the path: ids in paths would make unbounded label sets.
    const route = c.req.routePath || 'unmatched'
    options.deps.metrics.httpRequests.inc({ method: c.req.method, route, status: String(status) })
    options.deps.metrics.httpDuration.observe({ method: c.req.method, route }, seconds)
    const fields = {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Math.round(seconds * 10_000) / 10,
      project: c.var.caller?.projectId,
    }
    if (status >= 500) options.deps.logger.error('request', fields)
    else if (c.req.path.endsWith('/health')) options.deps.logger.debug('request', fields)
    else options.deps.logger.info('request', fields)
  }
}
