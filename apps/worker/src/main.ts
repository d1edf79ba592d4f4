import { EnvError, parseWorkerEnv } from './env.js'
import { createLogger } from './logger.js'
import { prepare, startWorker } from './worker.js'

let env
try {
  env = parseWorkerEnv(process.env)
} catch (err) {
  if (!(err instanceof EnvError)) throw err
  process.stderr.write(`tollgate-worker: ${err.message}\n`)
  process.exit(1)
}
const logger = createLogger(env.LOG_LEVEL)
if (process.argv[2] === 'migrate') {
  await prepare(env, logger)
  process.exit(0)
}
const worker = await startWorker(env, { logger })
// A consumer kafkajs will not restart is a dead member: exit, so the supervisor (compose's restart
// policy, Kubernetes) starts a fresh one; whatever it had not committed is read again.
setInterval(() => {
  const crash = worker.crashed()
  if (!crash || stopping) return
  logger.error('consumer.crashed', { error: crash.message.slice(0, 300) })
  process.exit(1)
}, 1000).unref()

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    logger.info('stopping', { signal })
    worker.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('stop.failed', { error: String(err) })
        process.exit(1)
      },
    )
  })
}
