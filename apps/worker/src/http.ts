import { createServer, type Server } from 'node:http'

export interface WorkerStats {
  batches: number
  messages: number
  inserted: number
  duplicates: number
  deadLettered: number
  storeErrors: number
  /** Messages not committed per partition: set when a batch arrives (grows while the store is down), lowered once it is committed. */
  lag: Map<number, number>
}

export const emptyStats = (): WorkerStats => ({
  batches: 0,
  messages: 0,
  inserted: 0,
  duplicates: 0,
  deadLettered: 0,
  storeErrors: 0,
  lag: new Map(),
})

/** `/health` (200 while consuming, 503 once crashed or stopping) and `/metrics` (Prometheus text) on the worker's own port. */
export async function serveHealth(opts: {
  host: string
  port: number
  stats: WorkerStats
  healthy(): boolean
}): Promise<Server & { port: number }> {
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      const ok = opts.healthy()
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }))
    } else if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metricsText(opts.stats))
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve))
  const address = server.address()
  return Object.assign(server, { port: typeof address === 'object' && address ? address.port : opts.port })
}

function metricsText(s: WorkerStats): string {
  const lines = [
    '# TYPE tollgate_worker_batches_total counter',
    `tollgate_worker_batches_total ${s.batches}`,
    '# TYPE tollgate_worker_messages_total counter',
    `tollgate_worker_messages_total ${s.messages}`,
    '# TYPE tollgate_worker_spans_total counter',
    `tollgate_worker_spans_total{outcome="inserted"} ${s.inserted}`,
    `tollgate_worker_spans_total{outcome="duplicate"} ${s.duplicates}`,
    `tollgate_worker_spans_total{outcome="dead_lettered"} ${s.deadLettered}`,
    '# TYPE tollgate_worker_store_errors_total counter',
    `tollgate_worker_store_errors_total ${s.storeErrors}`,
    '# TYPE tollgate_worker_consumer_lag gauge',
    ...[...s.lag].map(([p, lag]) => `tollgate_worker_consumer_lag{topic="tollgate.spans.v1",partition="${p}"} ${lag}`),
  ]
  return lines.join('\n') + '\n'
}
