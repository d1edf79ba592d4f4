import { createServer, type Server } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UnauthorizedError } from '@tollgate/core'
import { createApp } from '../src/app.js'
import { createJwtVerifier, type JwtVerifier } from '../src/auth/jwt.js'
import { must, startTestApp, type TestApp } from './harness.js'

const SECRET = 'jwt-test-secret-0123456789-abcdefghij'
const key = new TextEncoder().encode(SECRET)
const now = () => Math.floor(Date.now() / 1000)
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

function hs256(claims: Record<string, unknown>, secret: Uint8Array = key): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(secret)
}
const good = (extra: Record<string, unknown> = {}) => ({ sub: 'u1', exp: now() + 300, ...extra })

async function rejects(verify: JwtVerifier, token: string): Promise<string> {
  const err = await verify(token).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(UnauthorizedError)
  return (err as Error).message
}

describe('HS256 attack table', () => {
  const verify = must(
    createJwtVerifier({ secret: SECRET, issuer: 'https://issuer.test', audience: 'tollgate' }),
    'verifier',
  )
  const claims = (extra: Record<string, unknown> = {}) =>
    good({ iss: 'https://issuer.test', aud: 'tollgate', ...extra })

  it('accepts a valid token with its claims', async () => {
    expect(await verify(await hs256(claims({ project_id: 'p1', role: 'admin' })))).toEqual({
      subject: 'u1',
      projectId: 'p1',
      role: 'admin',
    })
    expect(await verify(await hs256(claims()))).toEqual({ subject: 'u1', projectId: undefined, role: 'viewer' })
    // Within the clock tolerance.
    expect((await verify(await hs256(claims({ exp: now() - 10 })))).subject).toBe('u1')
  })

  it.each<[string, () => Promise<string>]>([
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims({ role: 'admin' }))}.`],
    [
      'alg none with a signature part',
      async () => `${b64({ alg: 'none' })}.${b64(claims())}.${Buffer.from('x').toString('base64url')}`,
    ],
    ['a wrong secret', () => hs256(claims(), new TextEncoder().encode('another-secret-0123456789-abcdefghij'))],
    ['HS512 (not on the allow-list)', () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS512' }).sign(key)],
    ['no exp', () => hs256({ sub: 'u1', iss: 'https://issuer.test', aud: 'tollgate' })],
    ['an expired token', () => hs256(claims({ exp: now() - 120 }))],
    ['nbf in the future', () => hs256(claims({ nbf: now() + 120 }))],
    ['a wrong issuer', () => hs256(claims({ iss: 'https://evil.test' }))],
    ['no issuer', () => hs256(good({ aud: 'tollgate' }))],
    ['a wrong audience', () => hs256(claims({ aud: 'someone-else' }))],
    ['no sub', () => hs256({ exp: now() + 300, iss: 'https://issuer.test', aud: 'tollgate' })],
    ['an unknown role', () => hs256(claims({ role: 'superuser' }))],
    ['a non-string project_id', () => hs256(claims({ project_id: ['a', 'b'] }))],
    [
      'a tampered payload',
      async () => {
        const [h, , s] = (await hs256(claims())).split('.')
        return `${h ?? ''}.${b64(claims({ role: 'admin' }))}.${s ?? ''}`
      },
    ],
  ])('rejects %s', async (_, make) => {
    const message = await rejects(verify, await make())
    expect(message).toMatch(/^invalid token/)
    expect(message).not.toContain(SECRET)
  })
})

describe('JWKS', () => {
  let server: Server
  let jwks: { keys: JWK[] } = { keys: [] }
  let fetches = 0
  let url = ''
  const pair = async (kid: string) => {
    const { publicKey, privateKey } = await generateKeyPair('ES256')
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } }
  }
  const es256 = (p: Awaited<ReturnType<typeof pair>>, claims = good()) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: p.kid }).sign(p.privateKey)

  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches++
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwks.json`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('follows a rotation: the new kid is accepted, the removed one rejected once the cache expires', async () => {
    const [k1, k2] = [await pair('k1'), await pair('k2')]
    jwks = { keys: [k1.jwk] }
    const verify = must(createJwtVerifier({ jwksUrl: url, jwksCacheMaxAgeMs: 300, jwksCooldownMs: 0 }), 'verifier')
    expect((await verify(await es256(k1))).subject).toBe('u1')
    const before = fetches
    expect((await verify(await es256(k1))).subject).toBe('u1')
    expect(fetches).toBe(before) // cached

    // Rotation: the issuer publishes k2 and drops k1.
    jwks = { keys: [k2.jwk] }
    expect((await verify(await es256(k2))).subject).toBe('u1')
    await new Promise((r) => setTimeout(r, 350))
    await rejects(verify, await es256(k1))
  })

  it('refuses HS256 tokens signed with the public key (algorithm confusion) and foreign keys', async () => {
    const k1 = await pair('k1')
    jwks = { keys: [k1.jwk] }
    const verify = must(createJwtVerifier({ jwksUrl: url, jwksCooldownMs: 0 }), 'verifier')
    await rejects(verify, await hs256(good(), new TextEncoder().encode(JSON.stringify(k1.jwk))))
    const stranger = await pair('k1')
    await rejects(verify, await es256(stranger))
    await rejects(verify, `${b64({ alg: 'none' })}.${b64(good())}.`)
  })
})

describe('a server configured with only JWT_SECRET', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp({ JWT_SECRET: SECRET })
  })
  afterAll(() => t.close())

  it('admits a valid token (default project when project_id is absent) and nothing else', async () => {
    const bearer = async (claims: Record<string, unknown>) => ({ authorization: `Bearer ${await hs256(claims)}` })
    expect((await t.request('/api/traces', { headers: await bearer(good()) })).status).toBe(200)
    expect((await t.request('/api/projects', { headers: await bearer(good()) })).status).toBe(200)
    const denied = await t.request('/api/traces', { headers: await bearer(good({ exp: now() - 3600 })) })
    expect(denied.status).toBe(401)
    expect(denied.headers.get('www-authenticate')).toContain('Bearer')
    expect(((await denied.json()) as { detail: string }).detail).toContain('ERR_JWT_EXPIRED')
    // A token for a project that does not exist writes and reads nothing.
    expect((await t.request('/api/traces', { headers: await bearer(good({ project_id: 'nope' })) })).status).toBe(401)
    expect((await t.request('/api/traces', { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401)
  })

  it('admits ES256 tokens from JWT_JWKS_URL (with iss/aud), and refuses the HS256 secret there', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256')
    const jwk = { ...(await exportJWK(publicKey)), kid: 'app', alg: 'ES256' }
    const server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const address = server.address()
      const jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwks`
      const app = createApp({
        ...t.deps,
        env: {
          ...t.deps.env,
          JWT_SECRET: undefined,
          JWT_JWKS_URL: jwksUrl,
          JWT_ISSUER: 'https://idp.test',
          JWT_AUDIENCE: 'tollgate',
        },
      })
      const es = (claims: Record<string, unknown>) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'app' }).sign(privateKey)
      const ok = await app.request('/api/traces', {
        headers: { authorization: `Bearer ${await es(good({ iss: 'https://idp.test', aud: 'tollgate' }))}` },
      })
      expect(ok.status).toBe(200)
      const wrongAud = await app.request('/api/traces', {
        headers: { authorization: `Bearer ${await es(good({ iss: 'https://idp.test', aud: 'other' }))}` },
      })
      expect(wrongAud.status).toBe(401)
      const hs = await app.request('/api/traces', {
        headers: { authorization: `Bearer ${await hs256(good({ iss: 'https://idp.test', aud: 'tollgate' }))}` },
      })
      expect(hs.status).toBe(401)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
