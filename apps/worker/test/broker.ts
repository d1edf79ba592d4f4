import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createKafkaLog } from '@tollgate/pipeline'

const SCRIPT = fileURLToPath(new URL('../../../scripts/kafka.sh', import.meta.url))

/**
 * Why the Kafka suites cannot run here, or null when they can. Without Java they skip with this
 * reason on a developer's machine; in CI (CI=true) a missing Java fails the suite instead.
 */
export function kafkaUnavailable(): string | null {
  const java = spawnSync('java', ['-version'], { stdio: 'ignore' })
  if (java.status === 0) return null
  const reason =
    'Kafka tests need Java 17+ (a real Apache Kafka broker is started by scripts/kafka.sh); java was not found'
  if (process.env.CI) throw new Error(`${reason}, and CI must run them`)
  return reason
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const addr = s.address()
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0))
    })
  })
}

export interface Broker {
  brokers: string
  /** Its KRaft storage: `logs/<topic>-<partition>/*.log` are the segment files as the broker wrote them. */
  dir: string
  /** Seconds from spawn to a broker answering metadata requests (the last start). */
  startSeconds: number
  /** Stops the process (SIGKILL with `hard`): clients see refused connections. Data stays. */
  stop(hard?: boolean): Promise<void>
  /** SIGSTOP / SIGCONT: the broker keeps its connections but answers nothing (a broker slower than any timeout). */
  pause(): void
  resume(): void
  /** Starts it again on the same ports and data. */
  start(): Promise<void>
  /** Stops it and removes its data. */
  destroy(): Promise<void>
}

/** A real single-node Kafka (KRaft) on loopback ports, in a fresh directory, owned by the calling test file. */
export async function startBroker(): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-kafka-'))
  const [port, controllerPort] = [await freePort(), await freePort()]
  const brokers = `127.0.0.1:${port}`
  let child: ChildProcess | undefined
  let output = ''
  const broker: Broker = {
    brokers,
    dir,
    startSeconds: 0,
    // `run` execs the JVM, so the child's pid is the broker's.
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async start() {
      const started = performance.now()
      output = ''
      const c = spawn('bash', [SCRIPT, 'run', dir, String(port), String(controllerPort)], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TOLLGATE_KAFKA_PARENT_PID: String(process.pid) },
      })
      child = c
      c.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)))
      c.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)))
      await waitReady(brokers, c, () => output)
      broker.startSeconds = (performance.now() - started) / 1000
    },
    async stop(hard = false) {
      const c = child
      child = undefined
      if (!c || c.exitCode !== null || c.signalCode !== null) return
      const exited = new Promise<void>((r) => c.once('exit', () => r()))
      c.kill(hard ? 'SIGKILL' : 'SIGTERM')
      if (!hard) c.kill('SIGCONT') // a paused broker acts on SIGTERM only once it runs again
      await exited
    },
    async destroy() {
      await broker.stop(true)
      rmSync(dir, { recursive: true, force: true })
    },
  }
  await broker.start()
  return broker
}

async function waitReady(brokers: string, child: ChildProcess, output: () => string): Promise<void> {
  const until = Date.now() + 90_000
  const log = createKafkaLog({
    brokers: [brokers],
    clientId: 'test-ready',
    connectionTimeoutMs: 1000,
    requestTimeoutMs: 2000,
  })
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kafka broker exited with ${child.exitCode}:\n${output()}`)
    if (Date.now() > until) throw new Error(`kafka broker not ready within 90 s:\n${output()}`)
    // Ready = the controller elected itself and the broker answers an admin request.
    const ok = await log.ensureTopics([]).then(
      () => true,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 250))
  }
}
