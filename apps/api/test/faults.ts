import { createChdbConnection } from 'chdb/connection'

/**
 * The real chDB connection behind a switch: `sever()` makes every call fail as a refused TCP
 * connection would, `slow(ms)` delays inserts, `loseNextAck()` lets the next insert write and then fail. This is the in-process equivalent of a TCP proxy
 * between client and server, not a fake: every call that goes through reaches chDB.
 */
export function severableChdb(dataDir: string): {
  connection: unknown
  sever(): void
  heal(): void
  slow(ms: number): void
  loseNextAck(): void
} {
  const real = createChdbConnection({ path: `${dataDir}/clickhouse` })
  let severed = false
  let insertDelayMs = 0
  let loseAck = false
  const refuse = (): Promise<never> =>
    Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }))
  const connection = new Proxy(real, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver)
      if (typeof value !== 'function') return value
      if (!['query', 'insert', 'command', 'exec', 'ping'].includes(String(prop))) return value.bind(target)
      return async (...args: unknown[]) => {
        // Inserts arrive as `insert`, or as `exec` with a raw body (pre-serialised rows).
        const isInsert =
          prop === 'insert' || (prop === 'exec' && (args[0] as { values?: unknown } | undefined)?.values !== undefined)
        if (severed) return refuse()
        if (isInsert && insertDelayMs > 0) await new Promise((r) => setTimeout(r, insertDelayMs))
        if (severed) return refuse()
        const result: unknown = await (value as (...a: unknown[]) => unknown).apply(target, args)
        // The store wrote the rows but the answer never reached the client.
        if (isInsert && loseAck) {
          loseAck = false
          return Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
        }
        return result
      }
    },
  })
  return {
    connection,
    sever: () => void (severed = true),
    heal: () => void (severed = false),
    slow: (ms) => void (insertDelayMs = ms),
    loseNextAck: () => void (loseAck = true),
  }
}
