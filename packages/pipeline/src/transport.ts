import type { Span } from '@tollgate/core'

export interface SpanBatch {
  /** Always the authenticated caller's project, never a value from the body. */
  projectId: string
  spans: Span[]
}

/**
 * How accepted spans leave the API. `submit` resolves only once the batch is durable (committed to
 * ClickHouse in direct mode, acknowledged by Kafka with acks=-1 in Kafka mode) and rejects with an
 * UnavailableError when it cannot be: routes answer 202 or 503 from that alone.
 */
export interface SpanTransport {
  readonly name: string
  submit(batch: SpanBatch): Promise<void>
  /** Stop taking work, finish what was taken. */
  close(): Promise<void>
}
