import { Hono } from 'hono'
import { buildPolicy, type PolicyCache } from '@tollgate/store'
import type { AppEnv } from '../../context.js'

/** `GET /api/policy`: what SDKs enforce (the @tollgate/policy shape), spend computed here, cached briefly per project. */
export function policyRoutes(policies: PolicyCache): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/', async (c) => {
    const { deps, caller } = c.var
    const policy = await policies.get(caller.projectId, () =>
      buildPolicy({ ch: deps.ch, db: deps.pg.db, projectId: caller.projectId }),
    )
    c.header('Cache-Control', 'private, max-age=0')
    return c.json(policy)
  })
  return app
}
