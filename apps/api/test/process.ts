import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

// The real entry point in a child process, as `npm start` runs it (the root `npm test` builds first).
export const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const addr = s.address()
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0))
    })
  })
}

export interface ServerProcess {
  child: ChildProcess
  url: string
  startupMs: number
}

/** Starts `main.js` on `dataDir` and waits for /health. */
export async function startProcess(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const [port, pglitePort] = [await freePort(), await freePort()]
  const started = Date.now()
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      PGLITE_PORT: String(pglitePort),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    if (Date.now() - started > 60_000) throw new Error('no /health within 60 s')
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return { child, url, startupMs: Date.now() - started }
    await new Promise((r) => setTimeout(r, 100))
  }
}

export const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)))

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  const done = exited(child)
  child.kill(signal)
  return done
}

/** Polls a trace's spans until `n` are there (the drain is asynchronous after a restart). */
export async function waitForSpans(url: string, traceId: string, n: number, timeoutMs = 30_000): Promise<number> {
  const until = Date.now() + timeoutMs
  let count = 0
  for (;;) {
    const res = await fetch(`${url}/api/traces/${traceId}/spans`)
    count = res.status === 200 ? ((await res.json()) as { spans: unknown[] }).spans.length : 0
    if (count >= n || Date.now() > until) return count
    await new Promise((r) => setTimeout(r, 100))
  }
}
