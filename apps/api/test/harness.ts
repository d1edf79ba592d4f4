import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hono } from 'hono'
import { createApp } from '../src/app.js'
import type { AppDeps, AppEnv } from '../src/context.js'
import { parseEnv } from '../src/env.js'
import { createLogger } from '../src/lib/logger.js'
import { buildDeps, closeDeps, startServer, type BuildOptions, type RunningServer } from '../src/server.js'

export const tempDataDir = (): string => mkdtempSync(join(tmpdir(), 'tollgate-test-'))

export interface TestApp {
  app: Hono<AppEnv>
  deps: AppDeps
  dataDir: string
  /** In-process request (no socket). */
  request(path: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

/** The real app on real engines (chDB + PGlite) in a fresh DATA_DIR. One per test file: chDB binds one directory per process. */
export async function startTestApp(env: Record<string, string> = {}, options: BuildOptions = {}): Promise<TestApp> {
  const dataDir = env.DATA_DIR ?? tempDataDir()
  const parsed = parseEnv({ LOG_LEVEL: 'silent', ...env, DATA_DIR: dataDir })
  const deps = await buildDeps(parsed, { logger: createLogger('silent'), ...options })
  const app = createApp(deps)
  return {
    app,
    deps,
    dataDir,
    request: (path, init) => Promise.resolve(app.request(path, init)),
    close: async () => {
      await closeDeps(deps)
      // A directory the harness made is the test's alone: ~150 MB of engine files a run otherwise leaves.
      if (!env.DATA_DIR) removeDir(dataDir)
    },
  }
}

/** The real server on a loopback port, for tests where the transport matters (limits, gzip, back-pressure). */
export async function startTestServer(
  env: Record<string, string> = {},
  options: BuildOptions = {},
): Promise<RunningServer & { dataDir: string }> {
  const dataDir = env.DATA_DIR ?? tempDataDir()
  const parsed = parseEnv({ LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', ...env, DATA_DIR: dataDir })
  const server = await startServer(parsed, { logger: createLogger('silent'), ...options })
  return {
    ...server,
    dataDir,
    close: async () => {
      await server.close()
      if (!env.DATA_DIR) removeDir(dataDir)
    },
  }
}

export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true })

let counter = 0
const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0').slice(-len)
const runTag = Math.floor(Math.random() * 0xffffff)

/** Unique ids per call so tests in one file never see each other's traces. */
export function ids(): { traceId: string; spanId: (i: number) => string } {
  const n = ++counter
  const traceId = hex(runTag, 6) + hex(n, 10) + hex(Date.now(), 16)
  return { traceId, spanId: (i: number) => hex(n, 8) + hex(i, 8) }
}

export function span(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now()
  return {
    trace_id: ids().traceId,
    span_id: ids().spanId(1),
    name: 'openai.chat.completions',
    kind: 'llm',
    start_time: new Date(now - 1000).toISOString(),
    end_time: new Date(now).toISOString(),
    status: 'ok',
    provider: 'openai',
    model: 'gpt-4o',
    operation: 'chat',
    usage: { input_tokens: 100, output_tokens: 20 },
    ...overrides,
  }
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

/**
 * POST /api/ingest with `?consistency=strong`: answered once the spans are stored in ClickHouse, not
 * only durable in the log, so a test can read them back at once.
 */
export async function ingest(
  t: { request: TestApp['request'] },
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await t.request('/api/ingest?consistency=strong', json(body, headers))
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** Narrows away null/undefined with a message instead of a non-null assertion. */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`)
  return value
}

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
}
