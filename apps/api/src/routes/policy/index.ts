import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { Policy } from '@tollgate/policy'
import { buildPolicy, type PolicyCache } from '@tollgate/store'
import type { AppEnv } from '../../context.js'
import { commonProblems, component, openApiRoutes } from '../../lib/openapi-route.js'

/** `GET /api/policy`: what SDKs enforce (the @tollgate/policy shape), spend computed here, cached briefly per project. */
export function policyRoutes(policies: PolicyCache): OpenAPIHono<AppEnv> {
  const app = openApiRoutes()
  const policyRoute = createRoute({
    method: 'get',
    path: '/',
    summary:
      'What SDKs enforce: every enabled budget with the spend of its current window, computed from the stored spans (cached POLICY_CACHE_TTL_MS)',
    responses: {
      200: {
        description: 'the @tollgate/policy shape',
        content: { 'application/json': { schema: component(app, 'Policy', Policy, 'output') } },
      },
      ...commonProblems,
    },
  })
  return app.openapi(policyRoute, async (c) => {
    const { deps, caller } = c.var
    const policy = await policies.get(caller.projectId, () =>
      buildPolicy({ ch: deps.ch, db: deps.pg.db, projectId: caller.projectId }),
    )
    c.header('Cache-Control', 'private, max-age=0')
    // Documented by reference (above), so the route's typed answer is `never`: checked as a Policy here.
    return c.json(policy satisfies Policy as never, 200)
  })
}
