import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import * as schema from './schema.js'

export interface PostgresConfig {
  /** Unset: PGlite (with pgvector) under `dataDir`, served on a loopback port by pglite-socket. */
  url?: string | undefined
  dataDir: string
  /** Port for the embedded PGlite socket; 0 picks a free one. */
  pglitePort?: number
  poolSize?: number
}

export type Db = NodePgDatabase<typeof schema>

export interface Postgres {
  readonly pool: pg.Pool
  readonly db: Db
  readonly mode: 'pglite' | 'server'
  /** Connection string a tool can use; for PGlite the loopback socket. */
  readonly url: string
  close(): Promise<void>
}

/**
 * The same `pg` + drizzle path serves both modes: PGlite is reached over the Postgres wire protocol,
 * never through its in-process API, so nothing in the code knows which engine answers.
 */
export async function connectPostgres(config: PostgresConfig): Promise<Postgres> {
  if (config.url) {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 10, connectionTimeoutMillis: 5000 })
    pool.on('error', () => undefined) // idle-client errors surface on the next query instead of crashing the process
    return { pool, db: drizzle(pool, { schema }), mode: 'server', url: config.url, close: () => pool.end() }
  }
  const dir = `${config.dataDir}/postgres`
  mkdirSync(dir, { recursive: true })
  const lite = await PGlite.create(dir, { extensions: { vector } })
  // PGlite is single-connection; the socket server multiplexes pool clients onto it.
  const server = new PGLiteSocketServer({ db: lite, host: '127.0.0.1', port: config.pglitePort ?? 0, maxConnections: 16 })
  await server.start()
  const address = server.getServerConn()
  const url = `postgres://postgres@${address}/postgres`
  const pool = new pg.Pool({ connectionString: url, max: config.poolSize ?? 4 })
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
    },
  }
}
