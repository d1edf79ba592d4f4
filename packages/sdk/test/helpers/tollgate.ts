import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
export const SERVER_MAIN = `${REPO_ROOT}apps/api/dist/main.js`

export function serverBuilt(): boolean {
  return existsSync(SERVER_MAIN)
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      s.close(() => resolve(port))
    })
  })
}

/** A real Tollgate (apps/api/dist/main.js, embedded mode) on 127.0.0.1. */
export interface Tollgate {
  url: string
  port: number
  stop(): Promise<void>
  get<T>(path: string): Promise<T>
}

export async function startTollgate(
  dataDir: string,
  port?: number,
  env: Record<string, string> = {},
): Promise<Tollgate> {
  if (!serverBuilt()) throw new Error(`${SERVER_MAIN} is missing: run \`npm run build\` at the repository root first`)
  const p = port ?? (await freePort())
  const url = `http://127.0.0.1:${p}`
  const child: ChildProcess = spawn(process.execPath, [SERVER_MAIN], {
    env: { ...process.env, PORT: String(p), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (process.env.TOLLGATE_TEST_DEBUG) process.stderr.write(`tollgate exited ${code} ${signal}: ${stderr}\n`)
      resolve()
    }),
  )
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Tollgate exited (${child.exitCode}): ${stderr}`)
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`Tollgate did not become healthy: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url,
    port: p,
    async stop() {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
    async get<T>(path: string): Promise<T> {
      const res = await fetch(`${url}${path}`, { headers: env.API_KEY ? { 'x-api-key': env.API_KEY } : {} })
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`)
      return (await res.json()) as T
    },
  }
}
