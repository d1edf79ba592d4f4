import { EnvError, parseEnv } from './env.js'
import { createLogger } from './lib/logger.js'
import { startServer } from './server.js'

const started = performance.now()
let env
try {
  env = parseEnv(process.env)
} catch (err) {
  if (!(err instanceof EnvError)) throw err
  process.stderr.write(`tollgate: ${err.message}\n`)
  process.exit(1)
}
const logger = createLogger(env.LOG_LEVEL)
const server = await startServer(env, { logger })
logger.info('started', {
  url: server.url,
  local_mode: env.LOCAL_MODE,
  data_dir: env.DATA_DIR,
  startup_ms: Math.round(performance.now() - started),
})

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    logger.info('stopping', { signal })
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('stop.failed', { error: String(err) })
        process.exit(1)
      },
    )
  })
}
