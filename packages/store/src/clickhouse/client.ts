import { mkdirSync } from 'node:fs'
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'

export interface ClickHouseConfig {
  /** Unset: chDB in-process with its data under `dataDir`. */
  url?: string | undefined
  database: string
  username?: string | undefined
  password?: string | undefined
  dataDir: string
  requestTimeoutMs?: number
  /** Embedded mode: connections kept for reads, beside the one that writes (default 3). */
  readConnections?: number
}

export interface ClickHouse {
  readonly client: ClickHouseClient
  readonly database: string
  readonly mode: 'chdb' | 'server'
  /**
   * Runs a read on the least busy read connection. Embedded: chDB runs one query at a time per
   * connection, so reads get their own connections and never wait behind each other or an insert.
   */
  read<T>(fn: (client: ClickHouseClient) => Promise<T>): Promise<T>
  /** Fully qualified table name; identifiers come from validated config, never from a request. */
  table(name: string): string
  close(): Promise<void>
}

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * `connection` replaces the chDB connection of the embedded mode; tests pass the real chDB connection
 * wrapped in a switch that can sever it, the in-process equivalent of cutting a TCP proxy.
 */
export async function connectClickHouse(
  config: ClickHouseConfig,
  options: { connection?: unknown } = {},
): Promise<ClickHouse> {
  if (!IDENTIFIER.test(config.database)) throw new Error(`CLICKHOUSE_DB: not an identifier: ${config.database}`)
  const settings = {
    // Queries are written to be exact under duplicates of the sort key; see migrations/clickhouse/0001.
    do_not_merge_across_partitions_select_final: 1,
    output_format_json_quote_64bit_integers: 0,
  } as const
  let client: ClickHouseClient
  let mode: ClickHouse['mode']
  let readers: Reader[] = []
  if (config.url) {
    client = createClient({
      url: config.url,
      username: config.username ?? 'default',
      password: config.password ?? '',
      request_timeout: config.requestTimeoutMs ?? 30_000,
      clickhouse_settings: { ...settings, wait_for_async_insert: 1 },
    })
    mode = 'server'
  } else {
    const path = `${config.dataDir}/clickhouse`
    mkdirSync(path, { recursive: true })
    // chdb/connection implements client-common's published Connection; @clickhouse/client >= 1.23 bundles
    // an identical copy of those types, which TypeScript treats as distinct. Same shape at runtime.
    const connection = (options.connection ?? createChdbConnection({ path })) as ClientConnection
    client = createClient({ connection, clickhouse_settings: settings })
    mode = 'chdb'
    // Sessions on one path share the engine in this process. An injected connection (tests that sever
    // it) carries the reads too, so a severed store is severed for every query.
    if (!options.connection) {
      readers = Array.from({ length: config.readConnections ?? 3 }, () => ({
        client: createClient({
          connection: createChdbConnection({ path }) as ClientConnection,
          clickhouse_settings: settings,
        }),
        busy: 0,
      }))
    }
  }
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}` })
  const fallback: Reader = { client, busy: 0 }
  return {
    client,
    database: config.database,
    mode,
    table: (name) => `${config.database}.${name}`,
    read: async (fn) => {
      const reader = readers.reduce<Reader>((best, r) => (r.busy < best.busy ? r : best), readers[0] ?? fallback)
      reader.busy++
      try {
        return await fn(reader.client)
      } finally {
        reader.busy--
      }
    },
    close: async () => {
      await Promise.all(readers.map((r) => r.client.close()))
      await client.close()
    },
  }
}

interface Reader {
  client: ClickHouseClient
  busy: number
}
