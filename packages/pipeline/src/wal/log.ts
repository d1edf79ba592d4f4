import { mkdirSync, readdirSync } from 'node:fs'
import { open, readFile, rename, rm, truncate, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { UnavailableError } from '@tollgate/core'
import { HEADER_BYTES, decodeRecords, encodeRecord } from './format.js'

export interface WalOptions {
  dir: string
  /** A new segment file is started once the current one holds this many bytes. */
  segmentBytes: number
  /** Bytes of records not yet released (stored) beyond which appends are refused: 503, not growth. */
  maxBytes: number
  /** Told about every group commit (records, bytes, seconds for write + fdatasync); must not throw. */
  onCommit?(commit: { records: number; bytes: number; seconds: number }): void
}

export interface WalRecord {
  seq: number
  payload: Buffer
}

export interface RecoveryReport {
  segments: number
  records: number
  /** Bytes cut from segment tails that did not hold a whole, checksummed record (a torn write). */
  truncatedBytes: number
}

interface Segment {
  firstSeq: number
  /** One past the last record's seq. */
  endSeq: number
  path: string
}

interface Pending {
  frame: Buffer
  resolve: (seq: number) => void
  reject: (err: unknown) => void
}

const segmentName = (firstSeq: number): string => `${String(firstSeq).padStart(16, '0')}.wal`
/** The next segment while it is being zero-filled; not a segment until renamed into place. */
const SPARE = 'spare.wal.tmp'
const ZEROS = Buffer.alloc(1 << 20)

function isZero(b: Buffer): boolean {
  for (let at = 0; at < b.length; at += ZEROS.length) {
    const chunk = b.subarray(at, at + ZEROS.length)
    if (!chunk.equals(ZEROS.subarray(0, chunk.length))) return false
  }
  return true
}

/** A file of `bytes` zeros, on disk (fdatasync'd) before it is used. */
async function zeroFill(path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'w')
  try {
    for (let at = 0; at < bytes; at += ZEROS.length) await fh.write(ZEROS, 0, Math.min(ZEROS.length, bytes - at), at)
    await fh.datasync()
  } finally {
    await fh.close()
  }
}

/**
 * The local write-ahead log of the direct mode: a span batch is acknowledged once its record is
 * written and fdatasync'd here. Concurrent appends are group-committed (one write + one fdatasync for
 * all of them). Records are released once the store has them; whole segments are deleted then. On open,
 * every segment is read back, each record checked against its CRC-32, and a torn tail cut off.
 */
export class WriteAheadLog {
  private pending: Pending[] = []
  private writing: Promise<void> | null = null
  private segments: Segment[] = []
  private active: { fh: FileHandle; segment: Segment; size: number; capacity: number } | null = null
  /** The next segment, zero-filled in the background while the current one is in use. */
  private spare: Promise<{ path: string; capacity: number } | null> | null = null
  private nextSeq: number
  private releasedUpTo: number
  /** Sizes of unreleased records, by seq − releasedUpTo − 1. */
  private sizes: number[] = []
  private unreleased = 0
  private closed = false

  private constructor(
    private readonly opts: WalOptions,
    segments: Segment[],
    nextSeq: number,
  ) {
    this.segments = segments
    this.nextSeq = nextSeq
    this.releasedUpTo = nextSeq - 1
  }

  static async open(opts: WalOptions): Promise<{ log: WriteAheadLog; recovered: WalRecord[]; report: RecoveryReport }> {
    mkdirSync(opts.dir, { recursive: true })
    const files = readdirSync(opts.dir)
      .filter((f) => /^\d{16}\.wal$/.test(f))
      .sort()
    const segments: Segment[] = []
    const recovered: WalRecord[] = []
    let truncatedBytes = 0
    let nextSeq = 1
    for (const file of files) {
      const path = join(opts.dir, file)
      const firstSeq = Math.max(Number(file.slice(0, 16)), nextSeq)
      const data = await readFile(path)
      const { payloads, validBytes } = decodeRecords(data)
      // Segments are zero-filled ahead of use: zeros after the last record are unused space; anything
      // else there is a torn or corrupt record, cut off and reported.
      if (validBytes < data.length && !isZero(data.subarray(validBytes))) {
        await truncate(path, validBytes)
        truncatedBytes += data.length - validBytes
      }
      payloads.forEach((payload, i) => recovered.push({ seq: firstSeq + i, payload }))
      nextSeq = firstSeq + payloads.length
      segments.push({ firstSeq, endSeq: nextSeq, path })
    }
    const log = new WriteAheadLog(opts, segments, nextSeq)
    // Recovered records count against the bound until the drainer has stored them again.
    log.releasedUpTo = (recovered[0]?.seq ?? nextSeq) - 1
    for (const r of recovered) log.track(r.payload.length)
    return { log, recovered, report: { segments: files.length, records: recovered.length, truncatedBytes } }
  }

  /** The seq the next appended record gets. */
  get nextSequence(): number {
    return this.nextSeq
  }

  /** Bytes written and not yet released. */
  get bytes(): number {
    return this.unreleased
  }

  /** Resolves with the record's seq once it is on disk (fdatasync'd). */
  append(payload: string | Buffer): Promise<number> {
    if (this.closed) return Promise.reject(new UnavailableError('ingest log (shutting down)', 5))
    const frame = encodeRecord(payload)
    const size = frame.length - HEADER_BYTES
    if (this.unreleased + size > this.opts.maxBytes) {
      return Promise.reject(new UnavailableError('ingest log (full)', 5))
    }
    this.track(size)
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ frame, resolve, reject })
      this.kick()
    })
  }

  private kick(): void {
    if (this.writing) return
    this.writing = this.writeLoop().finally(() => {
      this.writing = null
      // An append may have arrived after the loop saw an empty queue and before this ran.
      if (this.pending.length > 0) this.kick()
    })
  }

  private track(size: number): void {
    this.sizes.push(size)
    this.unreleased += size
  }

  private async writeLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, this.pending.length)
      const frames = group.map((p) => p.frame)
      const size = frames.reduce((n, f) => n + f.length, 0)
      try {
        const started = performance.now()
        const active = await this.activeSegment(size)
        await writeAll(active.fh, frames, active.size)
        await active.fh.datasync()
        this.opts.onCommit?.({ records: group.length, bytes: size, seconds: (performance.now() - started) / 1000 })
        active.size += size
        const first = this.nextSeq
        this.nextSeq += group.length
        active.segment.endSeq = this.nextSeq
        group.forEach((p, i) => p.resolve(first + i))
      } catch (err) {
        // Nothing of this group is acknowledged; a partial write is cut off as a torn tail at the next open.
        // Their sizes were tracked at the seqs they would have had; later appends keep theirs.
        const removed = this.sizes.splice(this.nextSeq - this.releasedUpTo - 1, group.length)
        for (const size of removed) this.unreleased -= size
        const error = new UnavailableError('ingest log (write failed)', 5, { cause: err })
        for (const p of group) p.reject(error)
        await this.closeActive()
      }
    }
  }

  private async activeSegment(incoming: number): Promise<{ fh: FileHandle; segment: Segment; size: number }> {
    const a = this.active
    const drained = a !== null && this.releasedUpTo >= a.segment.endSeq - 1
    if (a && a.size + incoming <= a.capacity && !(drained && a.size > a.capacity / 16)) return a
    await this.closeActive()
    const segment: Segment = {
      firstSeq: this.nextSeq,
      endSeq: this.nextSeq,
      path: join(this.opts.dir, segmentName(this.nextSeq)),
    }
    // Records overwrite zeros already on disk, so fdatasync flushes data only: appending would change
    // the file's size and make every fdatasync wait for a filesystem journal commit that also carries
    // the engine's part files (measured: 26 ms a commit under load instead of ~1 ms).
    const spare = await (this.spare ?? Promise.resolve(null))
    this.spare = null
    let capacity = Math.max(this.opts.segmentBytes, incoming)
    if (spare && spare.capacity >= incoming) {
      await rename(spare.path, segment.path)
      capacity = spare.capacity
    } else {
      if (spare) await rm(spare.path, { force: true })
      await zeroFill(segment.path, capacity)
    }
    const fh = await open(segment.path, 'r+')
    // The new file's directory entry must survive a power cut too.
    const dir = await open(this.opts.dir, 'r')
    await dir.sync().finally(() => dir.close())
    this.segments.push(segment)
    this.active = { fh, segment, size: 0, capacity }
    this.spare = this.prepareSpare()
    await this.deleteReleasedSegments()
    return this.active
  }

  private prepareSpare(): Promise<{ path: string; capacity: number } | null> {
    const path = join(this.opts.dir, SPARE)
    const capacity = this.opts.segmentBytes
    return zeroFill(path, capacity).then(
      () => ({ path, capacity }),
      () => null,
    )
  }

  private async closeActive(): Promise<void> {
    const a = this.active
    this.active = null
    if (a) await a.fh.close().catch(() => undefined)
  }

  /** Everything up to and including `seq` is stored: its bytes stop counting, whole segments are deleted. */
  async release(seq: number): Promise<void> {
    if (seq <= this.releasedUpTo) return
    const count = Math.min(seq - this.releasedUpTo, this.sizes.length)
    for (const size of this.sizes.splice(0, count)) this.unreleased -= size
    this.releasedUpTo = seq
    await this.deleteReleasedSegments()
  }

  private async deleteReleasedSegments(): Promise<void> {
    while (this.segments.length > 0) {
      const s = this.segments[0]
      if (!s || s === this.active?.segment || s.endSeq - 1 > this.releasedUpTo) break
      this.segments.shift()
      await rm(s.path, { force: true })
    }
  }

  async close(): Promise<void> {
    this.closed = true
    while (this.writing) await this.writing
    await this.closeActive()
    await this.spare
  }
}

/** One writev for the whole group; a short write (rare: a full disk) continues where it stopped. */
async function writeAll(fh: FileHandle, frames: Buffer[], position: number): Promise<void> {
  let rest = frames
  let at = position
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest, at)
    at += bytesWritten
    let skip = bytesWritten
    const next: Buffer[] = []
    for (const f of rest) {
      if (skip >= f.length) skip -= f.length
      else {
        next.push(skip > 0 ? f.subarray(skip) : f)
        skip = 0
      }
    }
    if (bytesWritten === 0) throw new Error('write made no progress')
    rest = next
  }
}
