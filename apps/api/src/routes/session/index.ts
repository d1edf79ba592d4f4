import { createRoute, z } from '@hono/zod-openapi'
import { deleteCookie, setCookie } from 'hono/cookie'
import type { Context } from 'hono'
import type { AppEnv } from '../../context.js'
import { SESSION_COOKIE } from '../../auth/policy.js'
import { commonProblems, openApiRoutes, problemResponse } from '../../lib/openapi-route.js'
import { presentedKey } from '../../middleware/auth.js'

/** How long the browser keeps the cookie; the credential inside is checked again on every request. */
const SESSION_MAX_AGE_S = 12 * 3600

export const SessionView = z
  .object({
    project_id: z.string(),
    role: z.enum(['viewer', 'admin']),
    via: z.enum(['local', 'api-key', 'project-key', 'jwt']),
    instance_admin: z.boolean(),
    local_mode: z.boolean().describe('no credentials configured: the dashboard needs no login'),
  })
  .meta({ id: 'Session' })
export type SessionView = z.infer<typeof SessionView>

const json = { 'application/json': { schema: SessionView } }

const view = (c: Context<AppEnv>): SessionView => {
  const caller = c.var.caller
  return {
    project_id: caller.projectId,
    role: caller.role,
    via: caller.via,
    instance_admin: caller.instanceAdmin,
    local_mode: caller.via === 'local',
  }
}

const getSession = createRoute({
  method: 'get',
  path: '/',
  summary: 'Who the dashboard is signed in as (the credential sent, the session cookie, or local mode)',
  responses: {
    200: { description: 'the caller', content: json },
    403: problemResponse('no read scope'),
    ...commonProblems,
  },
})

const postSession = createRoute({
  method: 'post',
  path: '/',
  summary: "The dashboard's login: the credential in X-API-Key or Authorization: Bearer becomes a session cookie",
  description:
    'Set-Cookie `tollgate_session` (HttpOnly; Secure; SameSite=Strict; 12 h). The cookie carries the credential, ' +
    'which is checked again on every request (a revoked key or an expired JWT stops it). A request authenticated by ' +
    'the cookie alone that is not GET/HEAD needs `X-Tollgate-CSRF: 1`. In local mode no cookie is set.',
  responses: {
    200: { description: 'signed in', content: json },
    403: problemResponse('the credential cannot read'),
    ...commonProblems,
  },
})

const deleteSession = createRoute({
  method: 'delete',
  path: '/',
  summary: 'Log out: the session cookie is cleared',
  responses: {
    204: { description: 'cookie cleared' },
    403: problemResponse('missing X-Tollgate-CSRF'),
    ...commonProblems,
  },
})

/** `/api/session`: the dashboard's cookie login, for browsers that must not keep a key in script memory or storage. */
export const sessionRoutes = openApiRoutes()
  .openapi(getSession, (c) => c.json(view(c), 200))
  .openapi(postSession, (c) => {
    const credential = presentedKey((name) => c.req.header(name))
    if (credential && c.var.caller.via !== 'local')
      setCookie(c, SESSION_COOKIE, credential, {
        httpOnly: true,
        secure: true,
        sameSite: 'Strict',
        path: '/',
        maxAge: SESSION_MAX_AGE_S,
      })
    return c.json(view(c), 200)
  })
  .openapi(deleteSession, (c) => {
    deleteCookie(c, SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: 'Strict', path: '/' })
    return c.body(null, 204)
  })
