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
}

export interface ClickHouse {
  readonly client: ClickHouseClient
  readonly database: string
  readonly mode: 'chdb' | 'server'
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
export async function connectClickHouse(config: ClickHouseConfig, options: { connection?: unknown } = {}): Promise<ClickHouse> {
  if (!IDENTIFIER.test(config.database)) throw new Error(`CLICKHOUSE_DB: not an identifier: ${config.database}`)
  const settings = {
    // Queries are written to be exact under duplicates of the sort key; see migrations/clickhouse/0001.
    do_not_merge_across_partitions_select_final: 1,
    output_format_json_quote_64bit_integers: 0,
  } as const
  let client: ClickHouseClient
  let mode: ClickHouse['mode']
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
  }
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}` })
  return {
    client,
    database: config.database,
    mode,
    table: (name) => `${config.database}.${name}`,
    close: () => client.close(),
  }
}
