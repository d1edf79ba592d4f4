import type { RowRecord } from '@tollgate/store'

export interface SpanBatch {
  /** Always the authenticated caller's project, never a value from the body. */
  projectId: string
  rows: RowRecord[]
}

/** What a durable append gives back: a way to wait until the store has it (read-your-writes). */
export interface Receipt {
  /** Resolves once every row of the batch is stored (inserted, a known duplicate, or dead-lettered). */
  stored(): Promise<void>
}

export interface TransportHealth {
  /** Rows acknowledged and not yet stored. */
  backlogRows: number
  /** Bytes of the durable log not yet released. */
  logBytes: number
  /** How long the store has been failing, 0 when it is not. */
  storeFailingForMs: number
}

/**
 * How accepted spans leave the API. `submit` resolves only once the batch is durable (fdatasync'd to
 * the local log in direct mode, acknowledged by Kafka with acks=-1 in Kafka mode) and rejects with an
 * UnavailableError when it cannot be: routes answer 202 or 503 from that alone.
 */
export interface SpanTransport {
  readonly name: string
  submit(batch: SpanBatch): Promise<Receipt>
  health(): TransportHealth
  /** Stop taking work; store what was taken until `deadlineMs` passes; what is left stays durable. */
  close(deadlineMs?: number): Promise<void>
}
