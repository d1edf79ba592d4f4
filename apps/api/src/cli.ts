#!/usr/bin/env node
import { EnvError, parseCliEnv } from './env.js'
import { runCli } from './cli/run.js'

let env
try {
  env = parseCliEnv(process.env)
} catch (err) {
  if (!(err instanceof EnvError)) throw err
  process.stderr.write(`tollgate: ${err.message}\n`)
  process.exit(2)
}
process.exitCode = await runCli(process.argv.slice(2), {
  env,
  fetch,
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
})
