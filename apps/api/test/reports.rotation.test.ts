// Key rotation across real restarts on one DATA_DIR: a report signed by the generated key still verifies
// after REPORT_SIGNING_KEY names another key, both keys are published, the instance audit chain says
// what changed at start, and a bad key stops the server. Real processes (`npm test` builds dist first).
import { spawn } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { ids, removeDir, span, tempDataDir } from './harness.js'
import { exited, MAIN, startProcess, stopProcess } from './process.js'

const dir = tempDataDir()
afterAll(() => removeDir(dir))

interface Signed {
  pdf: Buffer
  signature: string
  reportId: string
  keyId: string
}

async function traceReport(url: string): Promise<Signed> {
  const { traceId, spanId } = ids()
  const res = await fetch(`${url}/api/ingest?consistency=strong`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      span({ trace_id: traceId, span_id: spanId(1), agent: { id: 'a', name: 'A' }, input: 'q', output: 'a' }),
    ]),
  })
  expect(res.status).toBe(202)
  const report = await fetch(`${url}/api/traces/${traceId}/compliance-report`)
  expect(report.status).toBe(200)
  return {
    pdf: Buffer.from(await report.arrayBuffer()),
    signature: report.headers.get('x-signature') ?? '',
    reportId: report.headers.get('x-report-id') ?? '',
    keyId: report.headers.get('x-signing-key-id') ?? '',
  }
}

const verify = async (url: string, r: Signed) =>
  (await (
    await fetch(`${url}/api/reports/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', 'x-signature': r.signature },
      body: r.pdf,
    })
  ).json()) as { valid: boolean; key_id: string }

describe('report signing keys across restarts', () => {
  it('keeps the rotated-out key published so its reports verify, and audits the change', async () => {
    const first = await startProcess(dir)
    let old: Signed
    try {
      old = await traceReport(first.url)
      expect((await verify(first.url, old)).valid).toBe(true)
    } finally {
      await stopProcess(first.child)
    }
    // Same generated key on a plain restart.
    const again = await startProcess(dir)
    try {
      expect((await traceReport(again.url)).keyId).toBe(old.keyId)
    } finally {
      await stopProcess(again.child)
    }

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
    const rotated = await startProcess(dir, { REPORT_SIGNING_KEY: rsa })
    try {
      const fresh = await traceReport(rotated.url)
      expect(fresh.keyId).not.toBe(old.keyId)
      const jwks = (await (await fetch(`${rotated.url}/api/reports/keys`)).json()) as {
        keys: { kid: string; alg: string }[]
      }
      expect(jwks.keys).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kid: old.keyId, alg: 'EdDSA' }),
          expect.objectContaining({ kid: fresh.keyId, alg: 'RS256' }),
        ]),
      )
      expect(await verify(rotated.url, old)).toMatchObject({ valid: true, key_id: old.keyId })
      expect(await verify(rotated.url, fresh)).toMatchObject({ valid: true, key_id: fresh.keyId })

      const { entries } = (await (await fetch(`${rotated.url}/api/audit?chain=instance`)).json()) as {
        entries: { action: string; details: { changed: string[] } }[]
      }
      const starts = entries.filter((e) => e.action === 'config.start')
      expect(starts).toHaveLength(3)
      expect(starts[0]?.details.changed).toEqual(['(first start)'])
      expect(starts[1]?.details.changed).toEqual([])
      expect(starts[2]?.details.changed).toEqual(['report_signing_key', 'report_signing_key_id'])
      expect(((await (await fetch(`${rotated.url}/api/audit/verify`)).json()) as { intact: boolean }).intact).toBe(true)
    } finally {
      await stopProcess(rotated.child)
    }
  })

  it('refuses to start with a REPORT_SIGNING_KEY it cannot use', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent', REPORT_SIGNING_KEY: 'not a key' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    expect(await exited(child)).not.toBe(0)
    expect(stderr).toContain('REPORT_SIGNING_KEY: not a PEM private key')
    expect(stderr).not.toContain('not a key')
  })
})
