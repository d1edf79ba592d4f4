export type { SpanTransport, SpanBatch, Receipt, TransportHealth } from './transport.js'
export { enrich, enrichSpan, isSampled, type EmbedCandidate, type EnrichOptions, type PiiPolicy } from './enrich.js'
export { loadScanner, type ScanConfigOptions } from './scan-config.js'
export { ProjectPolicies } from './pii-policies.js'
export * from './embed/index.js'
export {
  ingestSpans,
  type IngestDeps,
  type IngestInput,
  type IngestResult,
  type Normalizer,
  type RejectReason,
} from './ingest.js'
export {
  storeRows,
  byPartitionLimit,
  clickHouseCode,
  MAX_DAYS_PER_INSERT,
  type BatchStoreDeps,
  type DeadLetter,
  type StoreHooks,
  type StoreOutcome,
} from './batch-store.js'
export { createDeadLetterFile } from './dead-letter.js'
export { LogTransport, type LogTransportOptions } from './log-transport.js'
export { WriteAheadLog, type WalOptions, type WalRecord, type RecoveryReport } from './wal/log.js'
export { decodeRecords, encodeRecord, HEADER_BYTES, RECORD_MAGIC } from './wal/format.js'
export { openDirectTransport, type DirectTransportOptions } from './direct.js'
export { CpuGate } from './cpu-gate.js'
export * from './kafka/index.js'
