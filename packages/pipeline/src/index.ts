export type { SpanTransport, SpanBatch } from './transport.js'
export { GroupCommitWriter, type GroupCommitOptions } from './group-commit.js'
export { enrichSpan, isSampled, type EnrichOptions } from './enrich.js'
export { createDirectTransport, type DirectTransportOptions } from './direct.js'
