import { parseArgs } from 'node:util'
import type { CliEnv } from '../env.js'
import { runOnDatabase } from './database.js'
import { verifyReportCommand } from './verify-report.js'

export const USAGE = `usage: tollgate <command>

  projects create <name>                    create a project (instance key)
  projects list                             list projects
  keys create <project-id> [--scopes s,s]   create a key (scopes: ingest, read; default ingest); shown once
  keys list <project-id>                    list a project's keys (prefixes, scopes, last use)
  keys revoke <project-id> <key-id>         revoke a key
  verify-report FILE --signature SIG [--jwks URL|FILE]
                                            check a signed report offline (no server trusted)

Talks to a running server's HTTP API (it never opens DATA_DIR, which the server holds):
  TOLLGATE_URL            default http://127.0.0.1:3001
  TOLLGATE_API_KEY        the instance key (API_KEY) or an admin credential; not needed in local mode
or, when set, straight to Postgres (a server's DATABASE_URL, or an embedded server's logged postgres_url):
  TOLLGATE_DATABASE_URL   revocations reach running servers within their API_KEY_CACHE_TTL_MS
`

export interface CliIo {
  env: CliEnv
  fetch: typeof fetch
  out: (text: string) => void
  err: (text: string) => void
}

interface Call {
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  body?: unknown
}

/** Maps argv to one API call; null with a message when the arguments are wrong. */
function plan(argv: string[]): Call | string {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { scopes: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
  const [noun, verb, a, b] = positionals
  const id = (s: string | undefined) => encodeURIComponent(s ?? '')
  if (values.help || !noun) return USAGE
  if (noun === 'projects' && verb === 'create' && a && !b)
    return { method: 'POST', path: '/api/projects', body: { name: a } }
  if (noun === 'projects' && verb === 'list' && !a) return { method: 'GET', path: '/api/projects' }
  if (noun === 'keys' && verb === 'create' && a && !b) {
    const scopes = values.scopes
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    return { method: 'POST', path: `/api/projects/${id(a)}/keys`, body: scopes ? { scopes } : {} }
  }
  if (noun === 'keys' && verb === 'list' && a && !b) return { method: 'GET', path: `/api/projects/${id(a)}/keys` }
  if (noun === 'keys' && verb === 'revoke' && a && b)
    return { method: 'DELETE', path: `/api/projects/${id(a)}/keys/${id(b)}` }
  return `unknown or incomplete command: ${positionals.join(' ')}\n\n${USAGE}`
}

/** Runs one command; the exit code is 0 on success, 1 when the server refused, 2 on a usage error. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === 'verify-report') return verifyReportCommand(argv.slice(1), io)
  let call: Call | string
  try {
    call = plan(argv)
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`)
    return 2
  }
  if (typeof call === 'string') {
    ;(call === USAGE ? io.out : io.err)(call)
    return call === USAGE ? 0 : 2
  }
  if (io.env.TOLLGATE_DATABASE_URL) {
    let status: number
    let body: unknown
    try {
      ;[status, body] = await runOnDatabase(io.env.TOLLGATE_DATABASE_URL, call)
    } catch (err) {
      io.err(`database: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`)
      return 1
    }
    return report(io, call, status, body === null ? '' : JSON.stringify(body))
  }
  const headers: Record<string, string> = { accept: 'application/json' }
  if (io.env.TOLLGATE_API_KEY) headers['x-api-key'] = io.env.TOLLGATE_API_KEY
  if (call.body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await io.fetch(new URL(call.path, io.env.TOLLGATE_URL), {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
    })
  } catch (err) {
    io.err(`cannot reach ${io.env.TOLLGATE_URL}: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
  return report(io, call, res.status, await res.text())
}

function report(io: CliIo, call: Call, status: number, text: string): number {
  if (status >= 400) {
    let detail = text
    try {
      const problem = JSON.parse(text) as { title?: string; detail?: string }
      detail = [problem.title, problem.detail].filter(Boolean).join(': ')
    } catch {
      // not JSON: show it as it came
    }
    io.err(`${status} ${detail}\n`)
    return 1
  }
  if (status === 204) io.out('revoked\n')
  else io.out(JSON.stringify(JSON.parse(text), null, 2) + '\n')
  if (call.method === 'POST' && call.path.endsWith('/keys'))
    io.err('This key is shown once: store it now. Only its SHA-256 is kept.\n')
  return 0
}
