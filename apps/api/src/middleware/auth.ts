import { timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import { ForbiddenError, UnauthorizedError } from '@tollgate/core'
import { DEFAULT_PROJECT_ID } from '@tollgate/store'
import type { AppEnv, Caller } from '../context.js'
import type { JwtVerifier } from '../auth/jwt.js'
import { looksLikeJwt } from '../auth/jwt.js'
import type { KeyStore } from '../auth/key-store.js'
import { hashKey, isProjectKey } from '../auth/keys.js'
import { CSRF_HEADER, permits, publicPaths, requiredPermission, SESSION_COOKIE, WEB_PATHS } from '../auth/policy.js'

/**
 * The credential as any supported SDK sends it: X-API-Key, agentwatch's X-AeneasSoft-API-Key, or a
 * Bearer token. The first non-empty one counts: an empty `X-API-Key:` (a client with an unset
 * variable) must not hide a valid Bearer.
 */
export function presentedKey(header: (name: string) => string | undefined): string | undefined {
  const bearer = header('authorization')?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
  for (const value of [header('x-api-key')?.trim(), header('x-aeneassoft-api-key')?.trim(), bearer])
    if (value) return value
  return undefined
}

export interface AuthOptions {
  /** No credentials configured: every request is the default project's admin. */
  localMode: boolean
  /** The API_KEY env key: instance admin on the default project. */
  instanceKey: string | undefined
  keys: KeyStore
  jwt: JwtVerifier | null
  metricsPublic: boolean
}

/**
 * One middleware for the whole app (mounted at `*`): the allow-list in `auth/policy.ts` passes bare;
 * everything else needs a credential, and the credential decides the project and what it may do.
 */
export function authenticate(options: AuthOptions): MiddlewareHandler<AppEnv> {
  const open = publicPaths({ metricsPublic: options.metricsPublic })
  const instanceDigest = options.instanceKey ? Buffer.from(hashKey(options.instanceKey), 'hex') : null
  const local: Caller = {
    projectId: DEFAULT_PROJECT_ID,
    role: 'admin',
    via: 'local',
    scopes: ['ingest', 'read'],
    instanceAdmin: true,
  }

  async function identify(credential: string): Promise<Caller> {
    // Digests of equal length compared in constant time: neither length nor prefix of API_KEY leaks.
    if (instanceDigest && timingSafeEqual(Buffer.from(hashKey(credential), 'hex'), instanceDigest)) {
      return {
        projectId: DEFAULT_PROJECT_ID,
        role: 'admin',
        via: 'api-key',
        scopes: ['ingest', 'read'],
        instanceAdmin: true,
        actor: 'api-key',
      }
    }
    if (isProjectKey(credential)) {
      const key = await options.keys.resolve(credential)
      if (!key) throw new UnauthorizedError('invalid credentials')
      return {
        projectId: key.projectId,
        role: 'viewer',
        via: 'project-key',
        scopes: key.scopes,
        instanceAdmin: false,
        actor: key.id,
      }
    }
    if (options.jwt && looksLikeJwt(credential)) {
      const claims = await options.jwt(credential)
      const projectId = claims.projectId ?? DEFAULT_PROJECT_ID
      // A token for a project that does not exist would write orphan data or read nothing: refuse it.
      if (!(await options.keys.projectExists(projectId)))
        throw new UnauthorizedError('invalid token (unknown project_id)')
      return { projectId, role: claims.role, via: 'jwt', scopes: ['read'], instanceAdmin: false, actor: claims.subject }
    }
    throw new UnauthorizedError('invalid credentials')
  }

  return async function authMiddleware(c, next) {
    const safe = c.req.method === 'GET' || c.req.method === 'HEAD'
    if (safe && (open.has(c.req.path) || WEB_PATHS.test(c.req.path))) return next()
    let caller = local
    // Local mode has no credential to forge, so any page the user visits could change settings on
    // 127.0.0.1 from their browser: an admin mutation sent by a browser must come from the dashboard's
    // own origin. Ingest and the SDKs' calls stay open to browser apps allowed by CORS_ORIGINS.
    const site = c.req.header('sec-fetch-site')
    const needs = requiredPermission(c.req.method, c.req.path)
    if (options.localMode && needs.includes('admin') && site !== undefined && site !== 'same-origin' && site !== 'none')
      throw new ForbiddenError(`a page of another origin cannot change settings here (Sec-Fetch-Site: ${site})`)
    if (!options.localMode) {
      const header = presentedKey((name) => c.req.header(name))
      const credential = header ?? getCookie(c, SESSION_COOKIE)
      if (!credential) throw new UnauthorizedError('missing credentials: send X-API-Key or Authorization: Bearer')
      // CSRF: a cookie rides along with any cross-site request; the header cannot (docs/security.md).
      if (!header && !safe && c.req.header(CSRF_HEADER) !== '1')
        throw new ForbiddenError(`a session cookie changes nothing without the ${CSRF_HEADER}: 1 header`)
      caller = await identify(credential)
    }
    c.set('caller', caller)
    if (!permits(caller, needs))
      throw new ForbiddenError(
        needs.includes('admin')
          ? 'this needs an admin credential'
          : `this needs a key with the ${needs.join(' or ')} scope`,
      )
    return next()
  }
}
