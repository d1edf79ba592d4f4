import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * The backend's own health in Prometheus form (`GET /metrics`). One registry per app instance, passed
 * in like every other dependency: tests get their own, nothing is global. Labels are bounded sets
 * (route patterns, status codes, drop reasons from a closed vocabulary), never ids or keys.
 */
export interface Metrics {
  registry: Registry
  httpRequests: Counter<'method' | 'route' | 'status'>
  httpDuration: Histogram<'method' | 'route'>
  ingestSpans: Counter<'result'>
  clientDropped: Counter<'reason'>
  storeWrites: Histogram<'result'>
  storeWriteRows: Counter<'result'>
}

export function createMetrics(options: { queuedSpans: () => number; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry()
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'tollgate_' })
  new Gauge({
    name: 'tollgate_ingest_queue_spans',
    help: 'Spans accepted for writing and not yet committed (waiting or in flight).',
    registers: [registry],
    collect() {
      this.set(options.queuedSpans())
    },
  })
  return {
    registry,
    httpRequests: new Counter({ name: 'tollgate_http_requests_total', help: 'HTTP requests by route pattern and status.', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    httpDuration: new Histogram({
      name: 'tollgate_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    ingestSpans: new Counter({ name: 'tollgate_ingest_spans_total', help: 'Spans received on ingest: accepted (durable) or rejected (invalid).', labelNames: ['result'], registers: [registry] }),
    clientDropped: new Counter({
      name: 'tollgate_client_dropped_spans_total',
      help: 'Spans that SDKs report having dropped before delivery (spool caps, 4xx), by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    storeWrites: new Histogram({
      name: 'tollgate_store_write_seconds',
      help: 'Duration of group-commit inserts into ClickHouse, by result.',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    storeWriteRows: new Counter({ name: 'tollgate_store_write_rows_total', help: 'Rows written to (ok) or refused by (failed) ClickHouse inserts.', labelNames: ['result'], registers: [registry] }),
  }
}

const REASON = /^[a-z0-9_]{1,32}$/

/** SDK drop reasons come from the request body: anything outside a safe shape is counted as `other`. */
export function dropReason(reason: string): string {
  return REASON.test(reason) ? reason : 'other'
}
