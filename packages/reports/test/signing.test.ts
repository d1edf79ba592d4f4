import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { GENERATED_KEY_FILE, loadSigningKey, signingKeyFromPem, signReport, verifyReport } from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-reports-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const pem = (type: 'ed25519' | 'rsa', bits = 2048): string =>
  generateKeyPairSync(type as 'rsa', { modulusLength: bits })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString()

const bytes = (text: string) => new TextEncoder().encode(`%PDF-1.3\n${text}\n%%EOF\n`)
const signedAt = new Date('2026-11-04T10:00:00.000Z')

describe.each([
  ['EdDSA (Ed25519)', () => pem('ed25519'), 'EdDSA'],
  ['RS256', () => pem('rsa'), 'RS256'],
] as const)('%s', (_name, makePem, alg) => {
  it('verifies the untouched bytes and nothing else', async () => {
    const key = await signingKeyFromPem(makePem())
    expect(key.alg).toBe(alg)
    const jwks = { keys: [key.publicJwk] }
    const pdf = bytes('report one')
    const sig = await signReport(key, pdf, 'rpt_one', signedAt)
    expect(sig.jws).toMatch(/^[\w-]+\.\.[\w-]+$/)

    expect(await verifyReport(pdf, sig.jws, jwks)).toEqual({
      valid: true,
      report_id: 'rpt_one',
      key_id: key.kid,
      signed_at: signedAt.toISOString(),
    })
    // One flipped bit anywhere.
    for (const at of [0, 5, pdf.length - 1]) {
      const flipped = pdf.slice()
      flipped[at] = (flipped[at] ?? 0) ^ 0x01
      expect(await verifyReport(flipped, sig.jws, jwks)).toMatchObject({ valid: false, reason: 'bad signature' })
    }
    // The signature of another report.
    const other = await signReport(key, bytes('report two'), 'rpt_two', signedAt)
    expect(await verifyReport(pdf, other.jws, jwks)).toMatchObject({ valid: false, report_id: 'rpt_two' })
    // A key nobody published; and a published key that did not sign.
    const stranger = await signingKeyFromPem(makePem())
    const foreign = await signReport(stranger, pdf, 'rpt_one', signedAt)
    expect(await verifyReport(pdf, foreign.jws, jwks)).toMatchObject({ valid: false, reason: 'unknown key' })
    const impostor = { keys: [{ ...stranger.publicJwk, kid: key.kid }] }
    expect(await verifyReport(pdf, sig.jws, impostor)).toMatchObject({ valid: false, reason: 'bad signature' })
    // Not a detached JWS.
    expect(await verifyReport(pdf, 'garbage', jwks)).toMatchObject({ valid: false, reason: 'malformed signature' })
    const [h, s] = sig.jws.split('..')
    expect(await verifyReport(pdf, `${h}.e30.${s}`, jwks)).toMatchObject({
      valid: false,
      reason: 'malformed signature',
    })
  })
})

describe('signing keys', () => {
  it('generates an Ed25519 key once under the data directory, mode 0600, and reloads the same key', async () => {
    const a = await loadSigningKey({ dataDir: dir })
    const b = await loadSigningKey({ dataDir: dir })
    expect(a.alg).toBe('EdDSA')
    expect(b.kid).toBe(a.kid)
    expect(statSync(join(dir, GENERATED_KEY_FILE)).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(dir, GENERATED_KEY_FILE), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/)
  })

  it('takes REPORT_SIGNING_KEY as given (also with literal \\n), refuses weak and unsupported keys', async () => {
    const text = pem('ed25519')
    const key = await loadSigningKey({ pem: text.replace(/\n/g, '\\n'), dataDir: dir })
    expect(key.kid).toBe((await signingKeyFromPem(text)).kid)
    await expect(signingKeyFromPem(pem('rsa', 1024))).rejects.toThrow(/at least 2048 bits/)
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
    await expect(signingKeyFromPem(ec)).rejects.toThrow(/Ed25519 or RSA/)
  })
})
