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
  /** Spans refused at the edge, by reason (invalid, time); every drop is counted by reason. */
  ingestRejected: Counter<'reason'>
  /** Requests refused before their body was read (admission control, shutdown, back-pressure). */
  ingestRefused: Counter<'reason'>
  clientDropped: Counter<'reason'>
  storeWrites: Histogram<'result'>
  storeWriteRows: Counter<'result'>
  /** Rows the batch-store verb skipped as already stored (redeliveries, replays). */
  storeDuplicates: Counter
  /** Rows the store refused on their own, kept in the dead-letter file. */
  deadLettered: Counter
  /** Group commits of the write-ahead log: the part of every ingest ack spent making it durable. */
  logCommits: Histogram
}

export function createMetrics(options: {
  health: () => { backlogRows: number; logBytes: number }
  defaultMetrics?: boolean
}): Metrics {
  const registry = new Registry()
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'tollgate_' })
  new Gauge({
    name: 'tollgate_ingest_queue_spans',
    help: 'Spans acknowledged (durable in the log) and not yet stored in ClickHouse.',
    registers: [registry],
    collect() {
      this.set(options.health().backlogRows)
    },
  })
  new Gauge({
    name: 'tollgate_ingest_log_bytes',
    help: 'Bytes of the write-ahead log not yet stored in ClickHouse.',
    registers: [registry],
    collect() {
      this.set(options.health().logBytes)
    },
  })
  return {
    registry,
    httpRequests: new Counter({
      name: 'tollgate_http_requests_total',
      help: 'HTTP requests by route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'tollgate_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    ingestSpans: new Counter({
      name: 'tollgate_ingest_spans_total',
      help: 'Spans received on ingest: accepted (durable) or rejected (invalid).',
      labelNames: ['result'],
      registers: [registry],
    }),
    ingestRejected: new Counter({
      name: 'tollgate_ingest_rejected_spans_total',
      help: 'Spans rejected per index at the edge, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    ingestRefused: new Counter({
      name: 'tollgate_ingest_refused_requests_total',
      help: 'Ingest requests refused with 503 before their body was read, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    storeDuplicates: new Counter({
      name: 'tollgate_store_duplicate_rows_total',
      help: 'Rows skipped by the batch-store verb as already stored (redelivery, replay).',
      registers: [registry],
    }),
    logCommits: new Histogram({
      name: 'tollgate_ingest_log_commit_seconds',
      help: 'Write + fdatasync of one group commit of the write-ahead log.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'tollgate_store_dead_lettered_rows_total',
      help: 'Rows ClickHouse refused on their own, kept in DATA_DIR/dead-letter.',
      registers: [registry],
    }),
    clientDropped: new Counter({
      name: 'tollgate_client_dropped_spans_total',
      help: 'Spans that SDKs report having dropped before delivery (spool caps, 4xx), by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    storeWrites: new Histogram({
      name: 'tollgate_store_write_seconds',
      help: 'Duration of inserts into ClickHouse by the batch-store verb, by result.',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    storeWriteRows: new Counter({
      name: 'tollgate_store_write_rows_total',
      help: 'Rows written to (ok) or refused by (failed) ClickHouse inserts.',
      labelNames: ['result'],
      registers: [registry],
    }),
  }
}

const REASON = /^[a-z0-9_]{1,32}$/

/** SDK drop reasons come from the request body: anything outside a safe shape is counted as `other`. */
export function dropReason(reason: string): string {
  return REASON.test(reason) ? reason : 'other'
}
