import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import pg from 'pg'
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
  mkdirSync(dir, { recursive: true })
  const lite = await PGlite.create(dir, { extensions: { vector } })
  // PGlite is single-connection; the socket server multiplexes pool clients onto it.
  let server: PGLiteSocketServer
  let url: string
  let pool: pg.Pool
  let socketDir: string | undefined
  if (config.pglitePort) {
    server = new PGLiteSocketServer({ db: lite, host: '127.0.0.1', port: config.pglitePort, maxConnections: 16 })
    await server.start()
    url = `postgres://postgres@${server.getServerConn()}/postgres`
    pool = new pg.Pool({ connectionString: url, max: config.poolSize ?? 4 })
  } else {
    // pglite-socket accepts any client without a password: the file system is the lock. mkdtemp makes
    // the directory 0700 before the socket exists, so there is no moment when another user could connect.
    // (In the OS temp dir, not DATA_DIR: a Unix socket path is limited to ~104 bytes.)
    socketDir = mkdtempSync(join(tmpdir(), 'tollgate-pg-'))
    const path = join(socketDir, '.s.PGSQL.5432')
    server = new PGLiteSocketServer({ db: lite, path, maxConnections: 16 })
    await server.start()
    chmodSync(path, 0o600)
    url = `postgres://postgres@/postgres?host=${encodeURIComponent(socketDir)}`
    pool = new pg.Pool({
      host: socketDir,
      port: 5432,
      user: 'postgres',
      database: 'postgres',
      max: config.poolSize ?? 4,
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
      await server.stop()
      await lite.close()
      if (socketDir) rmSync(socketDir, { recursive: true, force: true })
    },
  }
}
