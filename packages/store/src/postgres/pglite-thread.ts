import { chmodSync, mkdirSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

/** What the main thread asks for: the data directory and where to listen. */
export interface PGliteThreadData {
  dir: string
  /** A Unix socket path (made 0600 once listening) or a loopback TCP port. */
  listen: { path: string } | { port: number }
}

/** What this thread answers: `ready` with the server's address, or `error`. After 'close' it exits. */
export type PGliteThreadMessage = { type: 'ready'; conn: string } | { type: 'error'; message: string }

// The embedded Postgres on a thread of its own: PGlite (WebAssembly) and the socket server that
// multiplexes pool clients onto its single connection run here, so their CPU — pgvector's HNSW inserts
// above all — no longer shares the event loop that acknowledges ingest and answers /health. The rest
// of the process reaches it only over the wire protocol, as it reaches a Postgres server.
async function main(): Promise<void> {
  const port = parentPort
  if (!port) throw new Error('pglite-thread runs as a worker thread')
  const data = workerData as PGliteThreadData
  try {
    mkdirSync(data.dir, { recursive: true })
    const lite = await PGlite.create(data.dir, { extensions: { vector } })
    const server =
      'path' in data.listen
        ? new PGLiteSocketServer({ db: lite, path: data.listen.path, maxConnections: 16 })
        : new PGLiteSocketServer({ db: lite, host: '127.0.0.1', port: data.listen.port, maxConnections: 16 })
    await server.start()
    if ('path' in data.listen) chmodSync(data.listen.path, 0o600)
    port.on('message', (msg: unknown) => {
      if (msg !== 'close') return
      void (async () => {
        await server.stop()
        await lite.close()
        port.close()
      })()
    })
    port.postMessage({ type: 'ready', conn: server.getServerConn() } satisfies PGliteThreadMessage)
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message } satisfies PGliteThreadMessage)
  }
}
void main()
