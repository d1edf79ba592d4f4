// Saturating ingest load from its own process (so the load generator never shares an event loop with
// the server or with whoever measures it). Usage: node load.mjs <url> <clients> <seconds> [spansPerBatch]
// Prints one JSON line: responses by status, and how many carried Retry-After among the 503/429s.
import { randomBytes } from 'node:crypto'

const [url, clients = '256', seconds = '5', size = '1000'] = process.argv.slice(2)
const now = Date.now()
// A few distinct bodies, reused: redeliveries are deduplicated by the store, the server's work is the same.
const bodies = Array.from({ length: 8 }, () => {
  const traceId = randomBytes(16).toString('hex')
  return JSON.stringify(
    Array.from({ length: Number(size) }, (_, i) => ({
      trace_id: traceId,
      span_id: randomBytes(8).toString('hex'),
      name: 'openai.chat.completions',
      start_time: now - 1000,
      end_time: now,
      provider: 'openai',
      model: 'gpt-4o',
      usage: { input_tokens: 100 + i, output_tokens: 20 },
      input: 'x'.repeat(200),
    })),
  )
})
const statuses = {}
let withRetryAfter = 0
let sent = 0
const until = Date.now() + Number(seconds) * 1000
await Promise.all(
  Array.from({ length: Number(clients) }, async () => {
    while (Date.now() < until) {
      const res = await fetch(`${url}/api/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[sent++ % bodies.length],
      }).catch(() => null)
      const status = res?.status ?? 'error'
      statuses[status] = (statuses[status] ?? 0) + 1
      if (res?.headers.get('retry-after')) withRetryAfter++
      await res?.arrayBuffer().catch(() => undefined)
      if (status !== 202) await new Promise((r) => setTimeout(r, 20))
    }
  }),
)
console.log(JSON.stringify({ statuses, withRetryAfter }))
