import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import type { PGliteThreadData, PGliteThreadMessage } from './pglite-thread.js'
import * as schema from './schema.js'

export interface PostgresConfig {
  /** Unset: PGlite (with pgvector) under `dataDir`, served by pglite-socket on a private Unix socket. */
  url?: string | undefined
  dataDir: string
  /**
   * Unset or 0: the embedded PGlite is served on a Unix socket in a fresh 0700 directory (the socket
   * itself 0600), so only this OS user can open it. A port: loopback TCP instead, which every local
   * user can reach — pglite-socket has no authentication — so only for a machine you alone use.
   */
  pglitePort?: number
  /** Connections to a Postgres server (default 10); PGlite always gets one (see below). */
  poolSize?: number
}

export type Db = NodePgDatabase<typeof schema>

export interface Postgres {
  readonly pool: pg.Pool
  readonly db: Db
  readonly mode: 'pglite' | 'server'
  /** Connection string a tool can use; for PGlite its Unix socket (or loopback port). */
  readonly url: string
  close(): Promise<void>
}

/**
 * The same `pg` + drizzle path serves both modes: PGlite is reached over the Postgres wire protocol,
 * never through its in-process API, so nothing in the code knows which engine answers.
 */
export async function connectPostgres(config: PostgresConfig): Promise<Postgres> {
  if (config.url) {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
    })
    pool.on('error', () => undefined) // idle-client errors surface on the next query instead of crashing the process
    return { pool, db: drizzle(pool, { schema }), mode: 'server', url: config.url, close: () => pool.end() }
  }
  const dir = `${config.dataDir}/postgres`
  // PGlite is single-connection; the socket server (on its own thread) multiplexes pool clients onto it.
  // One pool client, whatever `poolSize` says: pglite-socket queues each protocol message on its own,
  // so two clients' extended-protocol queries (Parse/Bind/Execute on the session's one unnamed
  // statement and portal) interleave — queries failed with `portal "" does not exist` and, worse,
  // some answered with another query's statement (packages/store/test/pglite.concurrency.test.ts).
  // PGlite runs one query at a time anyway, so one client costs no parallelism.
  const poolSize = 1
  let url: string
  let pool: pg.Pool
  let socketDir: string | undefined
  let thread: PGliteThread
  if (config.pglitePort) {
    thread = await startPGliteThread({ dir, listen: { port: config.pglitePort } })
    url = `postgres://postgres@${thread.conn}/postgres`
    pool = new pg.Pool({ connectionString: url, max: poolSize })
  } else {
    // pglite-socket accepts any client without a password: the file system is the lock. mkdtemp makes
    // the directory 0700 before the socket exists, so there is no moment when another user could connect.
    // (In the OS temp dir, not DATA_DIR: a Unix socket path is limited to ~104 bytes.)
    socketDir = mkdtempSync(join(tmpdir(), 'tollgate-pg-'))
    try {
      thread = await startPGliteThread({ dir, listen: { path: join(socketDir, '.s.PGSQL.5432') } })
    } catch (err) {
      rmSync(socketDir, { recursive: true, force: true })
      throw err
    }
    url = `postgres://postgres@/postgres?host=${encodeURIComponent(socketDir)}`
    pool = new pg.Pool({
      host: socketDir,
      port: 5432,
      user: 'postgres',
      database: 'postgres',
      max: poolSize,
    })
  }
  pool.on('error', () => undefined)
  return {
    pool,
    db: drizzle(pool, { schema }),
    mode: 'pglite',
    url,
    async close() {
      await pool.end()
      await thread.close()
      if (socketDir) rmSync(socketDir, { recursive: true, force: true })
    },
  }
}

interface PGliteThread {
  /** host:port or the socket path the server listens on. */
  conn: string
  close(): Promise<void>
}

/**
 * The compiled thread entry. Under the TypeScript sources (vitest aliases the workspace packages to
 * `src/`) a worker cannot load `.ts`, so the built file is used; `npm test` builds first.
 */
function threadEntry(): URL {
  const here = new URL(import.meta.url)
  return here.pathname.endsWith('.ts')
    ? new URL('../../dist/postgres/pglite-thread.js', here)
    : new URL('./pglite-thread.js', here)
}

/** Starts PGlite and its socket server on a worker thread; resolves once it accepts connections. */
function startPGliteThread(data: PGliteThreadData): Promise<PGliteThread> {
  const worker = new Worker(threadEntry(), { workerData: data })
  return new Promise((resolve, reject) => {
    let state: 'starting' | 'ready' | 'closing' = 'starting'
    worker.once('error', (err) => {
      if (state === 'starting') reject(err)
      // Running: the pool's queries now fail, which /ready and every Postgres caller report.
      else console.error(JSON.stringify({ level: 'error', msg: 'pglite.thread_failed', error: err.message }))
    })
    worker.on('message', (msg: PGliteThreadMessage) => {
      if (msg.type === 'error') {
        reject(new Error(`embedded Postgres failed to start: ${msg.message}`))
        void worker.terminate()
      } else if (msg.type === 'ready') {
        state = 'ready'
        resolve({
          conn: msg.conn,
          close: () =>
            new Promise<void>((done) => {
              if (state === 'closing') return done()
              state = 'closing'
              // A thread that never answers is ended anyway: closing must not hang the process.
              const timer = setTimeout(() => void worker.terminate().then(() => done()), 10_000)
              worker.once('exit', () => {
                clearTimeout(timer)
                done()
              })
              worker.postMessage('close')
            }),
        })
      }
    })
  })
}
