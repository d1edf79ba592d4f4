// A noisy project does not refuse a quiet one's ingest. Rate limits count requests, so a project within
// them can still fill the server's admission (in-flight requests and bytes) with large batches; with
// INGEST_PROJECT_SHARE it holds at most that part while another project ingests. Two real servers (child
// processes, the same load): with the share every quiet request is 202 while the noisy project's excess
// gets 503; without it (the control) the quiet project is refused too.
import { afterAll, describe, expect, it } from 'vitest'
import { removeDir, span, tempDataDir } from './harness.js'
import { startProcess, stopProcess, type ServerProcess } from './process.js'

const KEY = 'isolation-test-instance-key-0123456789'
const started: Array<{ server: ServerProcess; dataDir: string }> = []
afterAll(async () => {
  for (const { server, dataDir } of started) {
    await stopProcess(server.child)
    removeDir(dataDir)
  }
})

async function post(url: string, path: string, body: unknown, key: string): Promise<Response> {
  return fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(body),
  })
}

async function projectKey(url: string, name: string): Promise<string> {
  const project = (await (await post(url, '/api/projects', { name }, KEY)).json()) as { id: string }
  const key = await post(url, `/api/projects/${project.id}/keys`, { scopes: ['ingest'] }, KEY)
  return ((await key.json()) as { key: string }).key
}

const NOISY_BATCH = JSON.stringify(
  Array.from({ length: 500 }, () => span({ input: 'Summarise this ticket: ' + 'lorem ipsum '.repeat(80) })),
)

/** The noisy project floods with 16 concurrent senders while the quiet one sends 40 small requests in turn. */
async function run(share: string): Promise<{ quiet: number[]; noisy: number[] }> {
  const dataDir = tempDataDir()
  const server = await startProcess(dataDir, {
    API_KEY: KEY,
    INGEST_MAX_INFLIGHT_REQUESTS: '4',
    INGEST_PROJECT_SHARE: share,
    INGEST_QUEUE_MAX_SPANS: '10000000',
    RATE_LIMIT_KEY_PER_S: '0',
    RATE_LIMIT_PROJECT_PER_S: '0',
    EMBEDDING_SAMPLE_RATE: '0',
    LOG_LEVEL: 'silent',
  })
  started.push({ server, dataDir })
  const { url } = server
  const [noisyKey, quietKey] = [await projectKey(url, 'noisy'), await projectKey(url, 'quiet')]
  expect((await post(url, '/api/ingest', span(), quietKey)).status).toBe(202)

  const noisy: number[] = []
  let stop = false
  const senders = Array.from({ length: 16 }, async () => {
    while (!stop) {
      const res = await fetch(`${url}/api/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': noisyKey },
        body: NOISY_BATCH,
      }).catch(() => null)
      noisy.push(res?.status ?? 0)
      await res?.arrayBuffer().catch(() => undefined)
    }
  })
  // The flood is on once the noisy project has been refused at least once.
  for (let i = 0; i < 200 && !noisy.includes(503); i++) await new Promise((r) => setTimeout(r, 25))
  const quiet: number[] = []
  for (let i = 0; i < 40; i++) {
    const res = await post(url, '/api/ingest', [span(), span()], quietKey)
    quiet.push(res.status)
    await res.arrayBuffer()
  }
  stop = true
  await Promise.all(senders)
  expect((await fetch(`${url}/health`)).status).toBe(200)
  return { quiet, noisy }
}

describe('a noisy project and a quiet one', () => {
  it('with INGEST_PROJECT_SHARE=0.5: every quiet request lands, the noisy excess gets 503', async () => {
    const { quiet, noisy } = await run('0.5')
    expect(noisy).toContain(202)
    expect(noisy).toContain(503)
    expect(quiet).toEqual(Array(40).fill(202))
  }, 180_000)

  it('without a share (the control): the same flood refuses the quiet project too', async () => {
    const { quiet, noisy } = await run('1')
    expect(noisy).toContain(202)
    expect(quiet.filter((s) => s === 503).length).toBeGreaterThan(0)
  }, 180_000)
})
