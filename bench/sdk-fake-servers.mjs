// Child process of bench/sdk-overhead.mjs: a fake OpenAI-compatible provider and a fake Tollgate
// ingest on 127.0.0.1, kept out of the benchmarked process so their CPU is not counted there.
import { createServer } from 'node:http'

const body = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    { index: 0, message: { role: 'assistant', content: 'Hello from the fake provider.' }, finish_reason: 'stop' },
  ],
  usage: { prompt_tokens: 11, completion_tokens: 6, total_tokens: 17 },
})
const chunk = (content) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`
const stream =
  Array.from({ length: 20 }, (_, i) => chunk(`w${i} `)).join('') +
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 11, completion_tokens: 20, total_tokens: 31 } })}\n\ndata: [DONE]\n\n`

const provider = createServer((req, res) => {
  let raw = ''
  req.on('data', (c) => (raw += c))
  req.on('end', () => {
    if (raw.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(stream)
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_1' })
      res.end(body)
    }
  })
})
const ingest = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(req.url === '/api/ingest' ? 202 : 404, { 'content-type': 'application/json' })
    res.end('{"accepted":0,"rejected":[]}')
  })
})
await new Promise((r) => provider.listen(0, '127.0.0.1', r))
await new Promise((r) => ingest.listen(0, '127.0.0.1', r))
process.stdout.write(`${JSON.stringify({ provider: provider.address().port, ingest: ingest.address().port })}\n`)
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
