import { insertSpanRows, toSpanRow, type ClickHouse, type SpanRow } from '@tollgate/store'
import type { EnrichOptions } from './enrich.js'
import { enrichSpan } from './enrich.js'
import { GroupCommitWriter, type GroupCommitOptions } from './group-commit.js'
import type { SpanBatch, SpanTransport } from './transport.js'

export interface DirectTransportOptions extends EnrichOptions {
  ch: ClickHouse
  maxBatchRows?: number
  lingerMs?: number
  maxQueuedRows?: number
  onWrite?: GroupCommitOptions<SpanRow>['onWrite']
}

/** No broker: enrich in-process and group-commit into ClickHouse before the request is answered. */
export function createDirectTransport(opts: DirectTransportOptions): SpanTransport & { readonly queued: number } {
  const writer = new GroupCommitWriter<SpanRow>({
    write: (rows) => insertSpanRows(opts.ch, rows),
    maxBatchRows: opts.maxBatchRows ?? 5000,
    lingerMs: opts.lingerMs ?? 5,
    maxQueuedRows: opts.maxQueuedRows ?? 100_000,
    dependency: 'clickhouse',
    retryAfterS: 5,
    onWrite: opts.onWrite,
  })
  return {
    name: 'direct',
    get queued() {
      return writer.queued
    },
    submit(batch: SpanBatch) {
      const now = Date.now() * 1000
      return writer.write(batch.spans.map((s) => toSpanRow(enrichSpan(s, batch.projectId, opts, now))))
    },
    close: () => writer.close(),
  }
}
