import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import type { IngestBody, Span } from '../../src/types.js'

export interface IngestReply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** A fake Tollgate backend: records batches, answers as told (202 by default). */
export interface FakeIngest {
  url: string
  batches: { body: IngestBody; headers: IncomingMessage['headers']; status: number }[]
  /** Spans of batches answered 2xx, minus rejected indexes. */
  accepted(): Span[]
  /** Next replies, consumed in order; then `fallback`. */
  replies: (IngestReply | ((body: IngestBody) => IngestReply))[]
  fallback: IngestReply | ((body: IngestBody) => IngestReply)
  /** Other endpoints the SDK calls (policy, state, alerts). */
  other: { method: string; path: string; body: unknown }[]
  policy: { status: number; body?: unknown }
  close(): Promise<void>
}

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const raw = Buffer.concat(chunks)
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
}

function send(res: ServerResponse, reply: IngestReply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) })
  res.end(reply.body === undefined ? '' : JSON.stringify(reply.body))
}

export async function startFakeIngest(): Promise<FakeIngest> {
  const accepted: Span[] = []
  const fake: FakeIngest = {
    url: '',
    batches: [],
    accepted: () => accepted,
    replies: [],
    fallback: (b) => ({ status: 202, body: { accepted: b.spans.length, rejected: [] } }),
    other: [],
    policy: { status: 404, body: { type: 'about:blank', title: 'Not Found', status: 404 } },
    close: async () => undefined,
  }
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await read(req)
      const path = (req.url ?? '').split('?')[0]
      if (path === '/api/policy') return send(res, fake.policy)
      if (path !== '/api/ingest') {
        fake.other.push({
          method: req.method ?? '',
          path: path ?? '',
          body: raw.length ? JSON.parse(raw.toString('utf8')) : undefined,
        })
        return send(res, { status: 200, body: { received: true } })
      }
      const body = JSON.parse(raw.toString('utf8')) as IngestBody
      const next = fake.replies.shift() ?? fake.fallback
      const reply = typeof next === 'function' ? next(body) : next
      fake.batches.push({ body, headers: req.headers, status: reply.status })
      // status 0: the connection breaks without an answer; -1: no answer at all (hang).
      if (reply.status === 0) return req.socket.destroy()
      if (reply.status === -1) return
      if (reply.status >= 200 && reply.status < 300) {
        const rejected = new Set(
          ((reply.body as { rejected?: { index: number }[] } | undefined)?.rejected ?? []).map((r) => r.index),
        )
        body.spans.forEach((s, i) => {
          if (!rejected.has(i)) accepted.push(s)
        })
      }
      send(res, reply)
    })().catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return fake
}

export async function waitFor(cond: () => boolean, timeoutMs = 5000, stepMs = 10): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for condition')
    await new Promise((r) => setTimeout(r, stepMs))
  }
}
