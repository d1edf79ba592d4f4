import { readFileSync, existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { JSONWebKeySet } from 'jose'
import { verifyReport } from '@tollgate/reports'
import type { CliIo } from './run.js'

export const VERIFY_USAGE = `usage: tollgate verify-report FILE --signature SIG [--jwks URL|FILE]

  Checks a signed report offline: FILE's SHA-256 and report id against the detached JWS SIG (the
  X-Signature header, or a file holding it) with the public keys of the JWKS (a file, or a URL such as
  <server>/api/reports/keys; default TOLLGATE_URL/api/reports/keys). Nothing else is trusted or sent.
  Exit code 0 valid, 1 not valid, 2 usage error.
`

/** `tollgate verify-report`: the same check as POST /api/reports/verify, with keys the caller chooses. */
export async function verifyReportCommand(argv: string[], io: CliIo): Promise<number> {
  let file: string | undefined
  let signature: string | undefined
  let jwksFrom: string | undefined
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { signature: { type: 'string' }, jwks: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    })
    if (values.help) {
      io.out(VERIFY_USAGE)
      return 0
    }
    ;[file] = positionals
    signature = values.signature
    jwksFrom = values.jwks ?? new URL('/api/reports/keys', io.env.TOLLGATE_URL).toString()
    if (!file || positionals.length > 1 || !signature) throw new Error('FILE and --signature are required')
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n\n${VERIFY_USAGE}`)
    return 2
  }
  let pdf: Buffer
  let jwks: JSONWebKeySet
  try {
    pdf = readFileSync(file)
    if (existsSync(signature)) signature = readFileSync(signature, 'utf8').trim()
    jwks = await loadJwks(jwksFrom, io)
  } catch (err) {
    io.err(`${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`)
    return 2
  }
  const result = await verifyReport(new Uint8Array(pdf), signature, jwks)
  io.out(JSON.stringify(result, null, 2) + '\n')
  return result.valid ? 0 : 1
}

async function loadJwks(from: string, io: CliIo): Promise<JSONWebKeySet> {
  const text = /^https?:\/\//i.test(from)
    ? await io.fetch(from, { headers: { accept: 'application/json' } }).then(async (res) => {
        if (!res.ok) throw new Error(`${from}: HTTP ${res.status}`)
        return res.text()
      })
    : readFileSync(from, 'utf8')
  const parsed = JSON.parse(text) as { keys?: unknown }
  if (!Array.isArray(parsed.keys)) throw new Error(`${from}: not a JWKS (no "keys" array)`)
  return parsed as JSONWebKeySet
}
