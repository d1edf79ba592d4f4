// Signed trace reports end to end: the PDF a client downloads, its X-Signature, the server's verify
// endpoint, the public JWKS, key rotation, and the offline CLI check with only the JWKS.
import { execFile } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publishSigningKey, signingKeyFromPem, signReport } from '@tollgate/reports'
import { pdfText } from '../../../packages/reports/test/pdf-tools.js'
import { runCli } from '../src/cli/run.js'
import { parseCliEnv } from '../src/env.js'
import { ids, ingest, span, startTestApp, type TestApp } from './harness.js'

let t: TestApp
const dir = mkdtempSync(join(tmpdir(), 'tollgate-reports-'))
// A configured RSA key: RS256 end to end (the generated default, Ed25519, is covered by the monthly test).
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()
beforeAll(async () => {
  t = await startTestApp({ REPORT_SIGNING_KEY: rsaPem })
})
afterAll(async () => {
  await t.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Verdict {
  valid: boolean
  report_id: string | null
  key_id: string | null
  signed_at: string | null
  reason?: string
}

async function traceWithSpans(): Promise<{ traceId: string; cost: number; inputTokens: number }> {
  const { traceId, spanId } = ids()
  const start = Date.now() - 10_000
  const agent = { id: 'writer', name: 'Writer' }
  const spans = [0, 1, 2].map((i) =>
    span({
      trace_id: traceId,
      span_id: spanId(i),
      parent_span_id: i === 0 ? null : spanId(0),
      agent,
      input: 'q',
      output: 'a',
      usage: { input_tokens: 1000 * (i + 1), output_tokens: 100 },
      cost: { input_usd: 0.25 * (i + 1), output_usd: 0.05, total_usd: 0.25 * (i + 1) + 0.05 },
      start_time: new Date(start + i * 1000).toISOString(),
      end_time: new Date(start + i * 1000 + 700).toISOString(),
    }),
  )
  expect((await ingest(t, { spans })).status).toBe(202)
  return { traceId, cost: 0.25 + 0.5 + 0.75 + 0.15, inputTokens: 6000 }
}

async function download(
  traceId: string,
): Promise<{ pdf: Uint8Array; signature: string; reportId: string; keyId: string }> {
  const res = await t.request(`/api/traces/${traceId}/compliance-report`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('application/pdf')
  return {
    pdf: new Uint8Array(await res.arrayBuffer()),
    signature: res.headers.get('x-signature') ?? '',
    reportId: res.headers.get('x-report-id') ?? '',
    keyId: res.headers.get('x-signing-key-id') ?? '',
  }
}

const verify = async (pdf: Uint8Array, signature: string): Promise<Verdict> => {
  const res = await t.request('/api/reports/verify', {
    method: 'POST',
    headers: { 'content-type': 'application/pdf', 'x-signature': signature },
    body: Buffer.from(pdf),
  })
  expect(res.status).toBe(200)
  return (await res.json()) as Verdict
}

function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const io = {
    env: parseCliEnv({ TOLLGATE_URL: 'http://tollgate.test' }),
    // The CLI's --jwks URL served by the app in process: no socket needed.
    fetch: ((url: string | URL) => t.request(new URL(String(url)).pathname)) as typeof fetch,
    out: (s: string) => (out += s),
    err: (s: string) => (err += s),
  }
  return runCli(argv, io).then((code) => ({ code, out, err }))
}

describe('GET /api/traces/:id/compliance-report', () => {
  let traceId: string
  let report: Awaited<ReturnType<typeof download>>
  let expected: Awaited<ReturnType<typeof traceWithSpans>>
  beforeAll(async () => {
    expected = await traceWithSpans()
    traceId = expected.traceId
    report = await download(traceId)
  })

  it('is a PDF whose text holds the trace id, its totals, the score and the integrity block', async () => {
    expect(Buffer.from(report.pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-')
    const { text } = await pdfText(report.pdf)
    expect(text).toContain(traceId)
    expect(text).toContain(`$${expected.cost.toFixed(2)}`)
    expect(text).toContain(expected.inputTokens.toLocaleString('en-US'))
    expect(text).toMatch(/\d+ \/ 100/)
    expect(text).toContain(report.reportId)
    expect(text).toContain(report.keyId)
    expect(report.signature).toMatch(/^[\w-]+\.\.[\w-]+$/)
  })

  it("verifies the untouched file; a flipped byte, another report's signature and an unknown key do not", async () => {
    expect(await verify(report.pdf, report.signature)).toMatchObject({
      valid: true,
      report_id: report.reportId,
      key_id: report.keyId,
    })
    for (const at of [10, Math.floor(report.pdf.length / 2), report.pdf.length - 2]) {
      const flipped = report.pdf.slice()
      flipped[at] = (flipped[at] ?? 0) ^ 0x01
      expect(await verify(flipped, report.signature)).toMatchObject({ valid: false, reason: 'bad signature' })
    }
    const other = await download(traceId)
    expect(other.reportId).not.toBe(report.reportId)
    expect(await verify(report.pdf, other.signature)).toMatchObject({ valid: false, report_id: other.reportId })
    const stranger = await signingKeyFromPem(
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    )
    const foreign = await signReport(stranger, report.pdf, report.reportId, new Date())
    expect(await verify(report.pdf, foreign.jws)).toMatchObject({ valid: false, reason: 'unknown key' })
  })

  it('records the signature and audits the generation against the trace', async () => {
    const res = await t.request(`/api/audit?trace_id=${traceId}`)
    const { entries } = (await res.json()) as {
      entries: { action: string; target_id: string; details: Record<string, unknown> }[]
    }
    const generated = entries.filter((e) => e.action === 'report.generated')
    expect(generated.map((e) => e.target_id)).toContain(report.reportId)
    expect(generated.find((e) => e.target_id === report.reportId)?.details).toMatchObject({
      kind: 'trace',
      subject: traceId,
      key_id: report.keyId,
    })
  })

  it('publishes the key without credentials, and keeps a rotated-out key so old reports still verify', async () => {
    const jwks = (await (await t.request('/api/reports/keys')).json()) as { keys: { kid: string; alg: string }[] }
    expect(jwks.keys).toContainEqual(expect.objectContaining({ kid: report.keyId, alg: 'RS256' }))
    // The key a previous configuration signed with (published when that server started).
    const old = await signingKeyFromPem(
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    )
    await publishSigningKey(t.deps.pg.db, old)
    const oldSig = await signReport(old, report.pdf, 'rpt_old', new Date())
    expect(await verify(report.pdf, oldSig.jws)).toMatchObject({ valid: true, key_id: old.kid })
    const after = (await (await t.request('/api/reports/keys')).json()) as { keys: { kid: string }[] }
    expect(after.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([report.keyId, old.kid]))
  })

  it('verifies offline with tollgate verify-report and the JWKS, from a file or a URL', async () => {
    const file = join(dir, 'report.pdf')
    writeFileSync(file, report.pdf)
    const jwksFile = join(dir, 'jwks.json')
    writeFileSync(jwksFile, await (await t.request('/api/reports/keys')).text())
    const ok = await cli(['verify-report', file, '--signature', report.signature, '--jwks', jwksFile])
    expect(ok.code, ok.err).toBe(0)
    expect(JSON.parse(ok.out)).toMatchObject({ valid: true, report_id: report.reportId })
    const viaUrl = await cli([
      'verify-report',
      file,
      '--signature',
      report.signature,
      '--jwks',
      'http://tollgate.test/api/reports/keys',
    ])
    expect(viaUrl.code, viaUrl.err).toBe(0)

    const sigFile = join(dir, 'report.sig')
    writeFileSync(sigFile, `${report.signature}\n`)
    const flipped = report.pdf.slice()
    flipped[100] = (flipped[100] ?? 0) ^ 0x01
    writeFileSync(join(dir, 'flipped.pdf'), flipped)
    const bad = await cli(['verify-report', join(dir, 'flipped.pdf'), '--signature', sigFile, '--jwks', jwksFile])
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.out)).toMatchObject({ valid: false })
    // Keys from elsewhere: the server's key is not in them.
    writeFileSync(join(dir, 'empty.json'), '{"keys":[]}')
    const unknown = await cli([
      'verify-report',
      file,
      '--signature',
      report.signature,
      '--jwks',
      join(dir, 'empty.json'),
    ])
    expect(unknown.code).toBe(1)
    expect(JSON.parse(unknown.out)).toMatchObject({ valid: false, reason: 'unknown key' })
    expect((await cli(['verify-report', file])).code).toBe(2)
  })

  it('verifies offline as the built bin, with no server and a JWKS file (when dist is built, as in npm test)', async () => {
    const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
    if (!existsSync(fileURLToPath(new URL('../dist/cli/verify-report.js', import.meta.url)))) return
    const file = join(dir, 'bin-report.pdf')
    writeFileSync(file, report.pdf)
    const jwksFile = join(dir, 'bin-jwks.json')
    writeFileSync(jwksFile, await (await t.request('/api/reports/keys')).text())
    // TOLLGATE_URL points nowhere: nothing is fetched when --jwks is a file.
    const env = { PATH: process.env.PATH ?? '', TOLLGATE_URL: 'http://127.0.0.1:9' }
    const run = promisify(execFile)
    const ok = await run(
      process.execPath,
      [bin, 'verify-report', file, '--signature', report.signature, '--jwks', jwksFile],
      { env },
    )
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, report_id: report.reportId })
    const flipped = report.pdf.slice()
    flipped[200] = (flipped[200] ?? 0) ^ 0x01
    writeFileSync(file, flipped)
    const bad = await run(
      process.execPath,
      [bin, 'verify-report', file, '--signature', report.signature, '--jwks', jwksFile],
      { env },
    ).then(
      () => 0,
      (e: { code?: number }) => e.code,
    )
    expect(bad).toBe(1)
  })

  it('answers 404 for a trace the project does not have', async () => {
    expect((await t.request(`/api/traces/${ids().traceId}/compliance-report`)).status).toBe(404)
  })
})
