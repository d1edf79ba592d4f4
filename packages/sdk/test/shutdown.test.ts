import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Span } from '../src/types.js'
import type { FakeProvider } from './helpers/fake-provider.js'
import { startFakeProvider } from './helpers/fake-provider.js'
import { tempDir } from './helpers/tmp.js'
import type { Tollgate } from './helpers/tollgate.js'
import { REPO_ROOT, startTollgate } from './helpers/tollgate.js'

// Issue: a stream consumed to its end, then `await shutdown()` at once, never reached Tollgate.
const FIXTURE = join(REPO_ROOT, 'packages/sdk/test/fixtures/shutdown-app.mjs')
let tmp: ReturnType<typeof tempDir>
let tollgate: Tollgate
let provider: FakeProvider

beforeAll(async () => {
  const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/sdk'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
  if (tsc.status !== 0) throw new Error(`building the SDK failed: ${tsc.stdout}${tsc.stderr}`)
  tmp = tempDir()
  ;[tollgate, provider] = await Promise.all([startTollgate(join(tmp.dir, 'data')), startFakeProvider()])
}, 120_000)
afterAll(async () => {
  await Promise.all([tollgate?.stop(), provider?.close()])
  tmp?.cleanup()
})

function runApp(
  client: string,
  stream: string,
  spool: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = {
      ...process.env,
      ENDPOINT: tollgate.url,
      SPOOL: spool,
      PROVIDER: provider.url,
      CLIENT: client,
      STREAM: stream,
    }
    const child = spawn(process.execPath, [FIXTURE], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

/** The server stores asynchronously after its 202: poll until the LLM span is readable. */
async function llmSpanOf(traceId: string): Promise<Span | undefined> {
  const until = Date.now() + 15_000
  for (;;) {
    const r = await fetch(`${tollgate.url}/api/traces/${traceId}/spans`)
    if (r.ok) {
      const { spans } = (await r.json()) as { spans: Span[] }
      const llm = spans.find((s) => s.kind === 'llm')
      if (llm) return llm
    }
    if (Date.now() > until) return undefined
    await new Promise((res) => setTimeout(res, 200))
  }
}

describe('shutdown() right after the call loses nothing', () => {
  const cases = ['openai', '@anthropic-ai/sdk', 'ai'].flatMap((client) => [
    { client, stream: '0' },
    { client, stream: '1' },
  ])
  it.each(cases)('$client, stream=$stream: the span is stored, with its usage', async ({ client, stream }) => {
    const spool = join(tmp.dir, `spool-${client.replace(/\W/g, '')}-${stream}.sqlite`)
    const run = await runApp(client === '@anthropic-ai/sdk' ? 'anthropic' : client, stream, spool)
    expect(run.code, run.stderr).toBe(0)
    const { traceId } = JSON.parse(run.stdout.trim()) as { traceId: string }
    const span = await llmSpanOf(traceId)
    expect(span, `no LLM span for trace ${traceId}`).toBeDefined()
    expect(span?.stream).toBe(stream === '1')
    expect(span?.status).toBe('ok')
    expect(span?.usage?.output_tokens).toBeGreaterThan(0)
  })

  it.each([
    { client: 'openai', how: 'left unread at shutdown', stream: 'unread', status: 'unset', flag: 'incomplete' },
    ...['openai', 'anthropic', 'ai'].flatMap((client) => [
      // Vercel's textStream does not cancel the request when its loop is left: the capture is
      // still open at shutdown and becomes a span flagged incomplete.
      client === 'ai'
        ? { client, how: 'abandoned (loop left early)', stream: 'abandon', status: 'unset', flag: 'incomplete' }
        : { client, how: 'abandoned (loop left early)', stream: 'abandon', status: 'error', flag: 'aborted' },
      { client, how: 'aborted (AbortController)', stream: 'abort', status: 'error', flag: 'aborted' },
    ]),
  ])('$client: a stream $how, then shutdown() at once, still becomes a span ($status, $flag)', async (c) => {
    const { client, stream, status, flag } = c
    provider.eventDelayMs = 20
    try {
      const run = await runApp(client, stream, join(tmp.dir, `spool-${client}-${stream}.sqlite`))
      expect(run.code, run.stderr).toBe(0)
      const { traceId } = JSON.parse(run.stdout.trim()) as { traceId: string }
      const span = await llmSpanOf(traceId)
      expect(span, `no LLM span for trace ${traceId}`).toBeDefined()
      expect(span?.stream).toBe(true)
      expect(span?.status).toBe(status)
      expect(span?.attributes?.[flag]).toBe(true)
    } finally {
      provider.eventDelayMs = 0
    }
  })
})
