import { join } from 'node:path'
import { rowRecordOfLine, type ClickHouse } from '@tollgate/store'
import { storeRows, type StoreHooks, type StoreOutcome } from './batch-store.js'
import { createDeadLetterFile } from './dead-letter.js'
import { LogTransport } from './log-transport.js'
import { WriteAheadLog, type RecoveryReport } from './wal/log.js'

export interface DirectTransportOptions {
  ch: ClickHouse
  dataDir: string
  maxBatchRows?: number
  lingerMs?: number
  maxBacklogRows?: number
  logMaxBytes?: number
  logSegmentBytes?: number
  refuseAfterStoreFailingMs?: number
  hooks?: StoreHooks & {
    onStored?(outcome: StoreOutcome & { seconds: number }): void
    onStoreError?(err: unknown, attempt: number): void
    onDeadLetter?(rows: number): void
    onLogCommit?(commit: { records: number; bytes: number; seconds: number }): void
  }
}

/**
 * The direct mode's transport: the write-ahead log under `DATA_DIR/wal`, drained into ClickHouse by
 * the batch-store verb, dead letters under `DATA_DIR/dead-letter`. Whatever the log holds at start
 * is stored before anything new.
 */
export async function openDirectTransport(
  opts: DirectTransportOptions,
): Promise<{ transport: LogTransport; recovery: RecoveryReport; deadLetterPath: string }> {
  const { log, recovered, report } = await WriteAheadLog.open({
    dir: join(opts.dataDir, 'wal'),
    segmentBytes: opts.logSegmentBytes ?? 32 * 1024 * 1024,
    maxBytes: opts.logMaxBytes ?? 1024 * 1024 * 1024,
    onCommit: opts.hooks?.onLogCommit,
  })
  const deadLetter = createDeadLetterFile(join(opts.dataDir, 'dead-letter'), opts.hooks?.onDeadLetter)
  const transport = new LogTransport({
    log,
    recovered: LogTransport.entriesOf(recovered, rowRecordOfLine),
    store: (rows) => storeRows({ ch: opts.ch, deadLetter, hooks: opts.hooks }, rows),
    maxBatchRows: opts.maxBatchRows ?? 10_000,
    lingerMs: opts.lingerMs ?? 10,
    maxBacklogRows: opts.maxBacklogRows ?? 100_000,
    refuseAfterStoreFailingMs: opts.refuseAfterStoreFailingMs ?? 30_000,
    onStored: opts.hooks?.onStored,
    onStoreError: opts.hooks?.onStoreError,
  })
  return { transport, recovery: report, deadLetterPath: deadLetter.path }
}
