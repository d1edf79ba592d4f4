import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MESSAGE_VERSION, TOPICS, createKafkaLog, encodeMessage } from '@tollgate/pipeline'
import { DEFAULT_PROJECT_ID, connectClickHouse, type ClickHouse } from '@tollgate/store'
import { removeDir, tempDataDir } from '../../api/test/harness.js'
import { parseWorkerEnv } from '../src/env.js'
import { startWorker, type RunningWorker } from '../src/worker.js'
import { freePort, kafkaUnavailable, startBroker, type Broker } from './broker.js'
import { rowsOf, storedCounts, traceIds, waitCount, waitStored } from './spans.js'

// The worker process is SIGKILLed after the store has a batch and before its offsets are committed
// (the window where a crash means redelivery). The next worker reads the batch again and stores
// nothing twice: the batch-store verb skips keys already stored.
const FIXTURE = fileURLToPath(new URL('./fixtures/kill-before-commit.mjs', import.meta.url))
// The real entry point, as `npm run start:worker` runs it (the root `npm test` builds first).
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const unavailable = kafkaUnavailable()
if (unavailable) console.warn(`skipped: ${unavailable}`)

describe.skipIf(unavailable)('the worker process: killed between insert and commit, stopped by SIGTERM', () => {
  let broker: Broker
  let dataDir: string
  let ch: ClickHouse | undefined
  let worker: RunningWorker | undefined
  const project = DEFAULT_PROJECT_ID

  beforeAll(async () => {
    broker = await startBroker()
    dataDir = tempDataDir()
  })
  afterAll(async () => {
    try {
      await worker?.close(2000)
      await ch?.close()
    } finally {
      await broker?.destroy()
      removeDir(dataDir)
    }
  })

  const produce = async (rows: ReturnType<typeof rowsOf>): Promise<void> => {
    const log = createKafkaLog({ brokers: [broker.brokers], clientId: 'test-producer' })
    await log.producer().send(
      TOPICS.spans.name,
      rows.map((r) => ({
        key: r.traceId,
        value: encodeMessage('spans', { v: MESSAGE_VERSION, project_id: project, line: r.line }),
      })),
    )
    await log.producer().close()
  }

  it('stores the redelivered batch once', async () => {
    const env = {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC_PARTITIONS: '1',
      WORKER_PORT: '0',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
    }
    // The topic exists before anything is produced: the child creates it at its start.
    const child = spawn(process.execPath, [FIXTURE], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    )

    const log = createKafkaLog({ brokers: [broker.brokers], clientId: 'test-producer' })
    const t = traceIds()
    const rows = rowsOf(project, t.traceId, t.spanId, 50)
    const until = Date.now() + 60_000
    for (;;) {
      // Until the child has created the topic, a send is refused (auto-creation is off).
      const sent = await log
        .producer()
        .send(
          TOPICS.spans.name,
          rows.map((r) => ({
            key: r.traceId,
            value: encodeMessage('spans', { v: MESSAGE_VERSION, project_id: project, line: r.line }),
          })),
        )
        .then(
          () => true,
          () => false,
        )
      if (sent) break
      if (Date.now() > until) throw new Error('topic not created within 60 s')
      await new Promise((r) => setTimeout(r, 250))
    }
    await log.producer().close()
    expect(await exited).toBe('SIGKILL')

    // The killed worker had stored the batch: the rows are there, each once.
    ch = await connectClickHouse({ database: 'tollgate', dataDir })
    expect((await storedCounts(ch, project, [t.traceId])).size).toBe(50)

    worker = await startWorker(parseWorkerEnv(env), { ch })
    // Redelivered in full (nothing was committed), skipped in full (everything was stored).
    const wait = Date.now() + 60_000
    while (worker.stats.duplicates < 50 && Date.now() < wait) await new Promise((r) => setTimeout(r, 100))
    expect(worker.stats.messages).toBe(50)
    expect(worker.stats.duplicates).toBe(50)
    expect(worker.stats.inserted).toBe(0)
    const counts = await waitStored(ch, project, [t.traceId], 50)
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([])
  })

  it('SIGTERM: the worker process finishes and commits what it stored, then exits 0 within the deadline', async () => {
    // The previous test's worker and ClickHouse let go of the group and the data directory.
    expect(await worker?.close(60_000)).toBe(true)
    worker = undefined
    await ch?.close()
    ch = undefined
    const port = await freePort()
    const env = {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC_PARTITIONS: '1',
      WORKER_PORT: String(port),
      LOG_LEVEL: 'error',
      DATA_DIR: dataDir,
      SHUTDOWN_DEADLINE_MS: '10000',
    }
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const until = Date.now() + 60_000
    while (
      !(await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() > until || child.exitCode !== null) throw new Error('worker not healthy within 60 s')
      await new Promise((r) => setTimeout(r, 100))
    }
    const t = traceIds()
    await produce(rowsOf(project, t.traceId, t.spanId, 20))
    const inserted = () =>
      fetch(`http://127.0.0.1:${port}/metrics`).then(async (r) =>
        Number(/outcome="inserted"\} (\d+)/.exec(await r.text())?.[1] ?? 0),
      )
    while ((await inserted()) < 20 && Date.now() < until) await new Promise((r) => setTimeout(r, 100))
    const stopping = Date.now()
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(Date.now() - stopping).toBeLessThan(10_000)

    // Committed before the exit: a new member reads only what comes after (one marker message).
    ch = await connectClickHouse({ database: 'tollgate', dataDir })
    worker = await startWorker(parseWorkerEnv({ ...env, WORKER_PORT: '0', LOG_LEVEL: 'silent' }), { ch })
    const m = traceIds()
    await produce(rowsOf(project, m.traceId, m.spanId, 1))
    await waitStored(ch, project, [m.traceId], 1)
    const started = worker
    expect(await waitCount(() => started.stats.messages, 1)).toBe(1)
    const counts = await storedCounts(ch, project, [t.traceId])
    expect(counts.size).toBe(20)
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([])
  })
})
