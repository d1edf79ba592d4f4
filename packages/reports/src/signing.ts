// Detached JWS over a report (docs/compliance.md, "Verifying a report"). The signed payload is
// `{"pdf_sha256":"<hex>","report_id":"<id>"}`, rebuilt by the verifier from the file's bytes and the
// report id in the protected header, so the signature travels alone (`header..signature`, RFC 7515
// Appendix F) and anyone holding the public key can check a file without trusting the server.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  calculateJwkThumbprint,
  CompactSign,
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  type JSONWebKeySet,
  type JWK,
} from 'jose'
import { z } from 'zod'

export type SigningAlg = 'EdDSA' | 'RS256'

export interface SigningKey {
  kid: string
  alg: SigningAlg
  privateKey: KeyObject
  /** The public key as a JWK with kid, alg and use. */
  publicJwk: JWK
}

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex')

const payloadOf = (pdfSha256: string, reportId: string): Uint8Array =>
  new TextEncoder().encode(JSON.stringify({ pdf_sha256: pdfSha256, report_id: reportId }))

/** A PKCS#8 or PKCS#1 PEM (Ed25519 or RSA ≥ 2048 bits) → the signing key with its RFC 7638 thumbprint as kid. */
export async function signingKeyFromPem(pem: string, source = 'REPORT_SIGNING_KEY'): Promise<SigningKey> {
  let privateKey: KeyObject
  try {
    // Env files often carry a PEM on one line with literal \n.
    privateKey = createPrivateKey(pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem)
  } catch (err) {
    // The cause names OpenSSL's complaint, never the key's bytes.
    throw new Error(`${source}: not a PEM private key (${(err as Error).message.split('\n')[0] ?? ''})`)
  }
  let alg: SigningAlg
  if (privateKey.asymmetricKeyType === 'ed25519') alg = 'EdDSA'
  else if (privateKey.asymmetricKeyType === 'rsa') {
    const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0
    if (bits < 2048) throw new Error(`${source}: an RSA key needs at least 2048 bits (this one has ${bits})`)
    alg = 'RS256'
  } else throw new Error(`${source}: expected an Ed25519 or RSA private key, got ${privateKey.asymmetricKeyType}`)
  const jwk = await exportJWK(createPublicKey(privateKey))
  const kid = await calculateJwkThumbprint(jwk)
  return { kid, alg, privateKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } }
}

export const GENERATED_KEY_FILE = 'report-signing-key.pem'

/**
 * REPORT_SIGNING_KEY when set; otherwise an Ed25519 key generated once into `<dataDir>/report-signing-key.pem`
 * (mode 0600, created exclusively so two processes starting together keep the same key).
 */
export async function loadSigningKey(options: { pem?: string | undefined; dataDir: string }): Promise<SigningKey> {
  if (options.pem) return signingKeyFromPem(options.pem)
  const path = join(options.dataDir, GENERATED_KEY_FILE)
  try {
    return await signingKeyFromPem(readFileSync(path, 'utf8'), path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  mkdirSync(options.dataDir, { recursive: true })
  const { privateKey } = generateKeyPairSync('ed25519')
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  try {
    writeFileSync(path, pem, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  return signingKeyFromPem(readFileSync(path, 'utf8'), path)
}

export interface ReportSignature {
  /** The compact detached JWS: `<protected header>..<signature>`. */
  jws: string
  reportId: string
  kid: string
  pdfSha256: string
  signedAt: Date
}

export async function signReport(
  key: SigningKey,
  pdf: Uint8Array,
  reportId: string,
  signedAt: Date,
): Promise<ReportSignature> {
  const pdfSha256 = sha256Hex(pdf)
  const full = await new CompactSign(payloadOf(pdfSha256, reportId))
    .setProtectedHeader({
      alg: key.alg,
      kid: key.kid,
      typ: 'tollgate-report+jws',
      report_id: reportId,
      signed_at: signedAt.toISOString(),
    })
    .sign(key.privateKey)
  const [header, , signature] = full.split('.')
  return { jws: `${header}..${signature}`, reportId, kid: key.kid, pdfSha256, signedAt }
}

const Header = z.object({
  alg: z.enum(['EdDSA', 'RS256']),
  kid: z.string().min(1),
  report_id: z.string().min(1).max(128),
  signed_at: z.string(),
})

export const VerifyResult = z.object({
  valid: z.boolean(),
  report_id: z.string().nullable(),
  key_id: z.string().nullable(),
  signed_at: z.string().nullable(),
  reason: z
    .string()
    .optional()
    .describe('why not valid: malformed signature, unknown key, or bad signature (the bytes or the report differ)'),
})
export type VerifyResult = z.infer<typeof VerifyResult>

/**
 * Checks `pdf` against the detached JWS with the keys of `jwks` only (no server, no clock): valid only
 * when a key of the set with the header's kid verifies the signature over this file's SHA-256 and
 * the header's report id.
 */
export async function verifyReport(pdf: Uint8Array, jws: string, jwks: JSONWebKeySet): Promise<VerifyResult> {
  const parts = jws.trim().split('.')
  let header: z.infer<typeof Header>
  try {
    if (parts.length !== 3 || parts[1] !== '') throw new Error('not a detached compact JWS')
    header = Header.parse(decodeProtectedHeader(jws.trim()))
  } catch {
    return { valid: false, report_id: null, key_id: null, signed_at: null, reason: 'malformed signature' }
  }
  const claims = { report_id: header.report_id, key_id: header.kid, signed_at: header.signed_at }
  if (!jwks.keys.some((k) => k.kid === header.kid)) return { valid: false, ...claims, reason: 'unknown key' }
  const payload = Buffer.from(payloadOf(sha256Hex(pdf), header.report_id)).toString('base64url')
  try {
    await compactVerify(`${parts[0]}.${payload}.${parts[2]}`, createLocalJWKSet(jwks), {
      algorithms: ['EdDSA', 'RS256'],
    })
  } catch {
    return { valid: false, ...claims, reason: 'bad signature' }
  }
  return { valid: true, ...claims }
}
