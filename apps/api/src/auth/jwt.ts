import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose'
import { UnauthorizedError, UnavailableError } from '@tollgate/core'

/** HS256 for a shared secret; asymmetric algorithms for a JWKS. Never `none`, never HS* with a JWKS (key confusion). */
const SECRET_ALGORITHMS = ['HS256']
const JWKS_ALGORITHMS = ['RS256', 'ES256', 'EdDSA']
/** Clock skew accepted on exp/nbf/iat. */
const CLOCK_TOLERANCE_S = 30

export interface JwtOptions {
  secret?: string | undefined
  jwksUrl?: string | undefined
  issuer?: string | undefined
  audience?: string | undefined
  /** How long a fetched JWKS is trusted before it is fetched again (a removed kid stops working after this). */
  jwksCacheMaxAgeMs?: number
  /** Minimum time between fetches triggered by an unknown kid (a rotation is picked up on the first token after it). */
  jwksCooldownMs?: number
}

export interface JwtClaims {
  subject: string
  projectId: string | undefined
  role: 'viewer' | 'admin'
}

export type JwtVerifier = (token: string) => Promise<JwtClaims>

/** A credential that looks like a JWS compact serialisation (three base64url parts). */
export const looksLikeJwt = (credential: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential)

export function createJwtVerifier(options: JwtOptions): JwtVerifier | null {
  let key: Uint8Array | JWTVerifyGetKey
  let algorithms: string[]
  if (options.secret) {
    key = new TextEncoder().encode(options.secret)
    algorithms = SECRET_ALGORITHMS
  } else if (options.jwksUrl) {
    key = createRemoteJWKSet(new URL(options.jwksUrl), {
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 10 * 60_000,
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      timeoutDuration: 5000,
    })
    algorithms = JWKS_ALGORITHMS
  } else {
    return null
  }
  return async function verifyJwt(token) {
    const verify = {
      algorithms,
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['exp', 'sub'],
    }
    let payload
    try {
      payload = (await (typeof key === 'function' ? jwtVerify(token, key, verify) : jwtVerify(token, key, verify)))
        .payload
    } catch (err) {
      // jose's codes (ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED, …) are safe to show; nothing of the token is.
      if (err instanceof errors.JOSEError && !(err instanceof errors.JWKSTimeout))
        throw new UnauthorizedError(`invalid token (${err.code})`)
      // The JWKS endpoint cannot be reached: the token may be fine, so this is the issuer's outage, not the caller's fault.
      throw new UnavailableError('jwks', 5, { cause: err })
    }
    const {
      sub,
      project_id: projectId,
      role = 'viewer',
    } = payload as { sub?: unknown; project_id?: unknown; role?: unknown }
    if (typeof sub !== 'string' || sub === '')
      throw new UnauthorizedError('invalid token (sub must be a non-empty string)')
    if (projectId !== undefined && (typeof projectId !== 'string' || projectId === ''))
      throw new UnauthorizedError('invalid token (project_id must be a non-empty string)')
    if (role !== 'viewer' && role !== 'admin')
      throw new UnauthorizedError('invalid token (role must be viewer or admin)')
    return { subject: sub, projectId, role }
  }
}
