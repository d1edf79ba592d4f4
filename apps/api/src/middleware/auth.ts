import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { UnauthorizedError } from '@tollgate/core'
import { DEFAULT_PROJECT_ID } from '@tollgate/store'
import type { AppEnv } from '../context.js'
import type { Env } from '../env.js'

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/** The key as any supported SDK sends it: X-API-Key, agentwatch's X-AeneasSoft-API-Key, or a Bearer token. */
export function presentedKey(header: (name: string) => string | undefined): string | undefined {
  const bearer = header('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1]
  return header('x-api-key') ?? header('x-aeneassoft-api-key') ?? bearer
}

/**
 * LOCAL_MODE: no credentials, one default project. API_KEY: the single-tenant shortcut; the key maps to
 * the default project with admin rights. Per-project keys and JWTs arrive with the tenancy issue; until
 * then a server configured only for JWT admits nobody rather than everybody.
 */
export function authenticate(options: { env: Env }): MiddlewareHandler<AppEnv> {
  const { env } = options
  const expected = env.API_KEY ? digest(env.API_KEY) : null
  return async function authMiddleware(c, next) {
    if (env.LOCAL_MODE) {
      c.set('caller', { projectId: DEFAULT_PROJECT_ID, role: 'admin', via: 'local' })
      return next()
    }
    const key = presentedKey((name) => c.req.header(name))
    if (!key) throw new UnauthorizedError('missing credentials: send X-API-Key or Authorization: Bearer')
    // Compare digests of equal length in constant time: neither length nor prefix leaks.
    if (!expected || !timingSafeEqual(digest(key), expected)) throw new UnauthorizedError('invalid credentials')
    c.set('caller', { projectId: DEFAULT_PROJECT_ID, role: 'admin', via: 'api-key' })
    return next()
  }
}
