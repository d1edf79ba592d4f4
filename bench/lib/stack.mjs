// The server side of bench/kafka.mjs in one process: the API (built dist/), and in Kafka mode
// (KAFKA_BROKERS set) a worker sharing the API's embedded ClickHouse, as the Kafka tests run them
// (embedded chDB opens its directory from one process only). Prints {"url"} once ready; SIGTERM
// stops the worker (its batch in flight committed), then the API.
import { parseEnv } from '../../apps/api/dist/env.js'
import { createLogger } from '../../apps/api/dist/lib/logger.js'
import { startServer } from '../../apps/api/dist/server.js'
import { parseWorkerEnv } from '../../apps/worker/dist/env.js'
import { startWorker } from '../../apps/worker/dist/worker.js'

const server = await startServer(parseEnv(process.env), { logger: createLogger('warn') })
let worker
if (process.env.KAFKA_BROKERS) {
  const env = parseWorkerEnv({ ...process.env, WORKER_PORT: '0', LOG_LEVEL: 'warn' })
  for (let attempt = 1; !worker; attempt++) {
    // The broker may still be electing its controller: topic creation is retried.
    worker = await startWorker(env, { ch: server.deps.ch }).catch((err) => {
      if (attempt >= 20) throw err
      return new Promise((r) => setTimeout(r, 500)).then(() => undefined)
    })
  }
}
process.stdout.write(JSON.stringify({ url: server.url }) + '\n')
process.once('SIGTERM', () => {
  void (async () => {
    await worker?.close()
    await server.close()
    process.exit(0)
  })()
})
