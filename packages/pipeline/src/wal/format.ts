import { crc32 } from 'node:zlib'

/**
 * One record: magic (u32) · payload length (u32) · CRC-32 of the payload (u32) · payload. Little-endian.
 * The magic makes a zeroed or foreign tail fail fast; the CRC catches a torn or corrupted payload.
 */
export const RECORD_MAGIC = 0x31574754 // "TGW1"
export const HEADER_BYTES = 12
/** A length past this is corruption, not a record (no request body is that large). */
export const MAX_RECORD_BYTES = 1 << 30

/** The framed record of `payload`; a string is encoded straight into the frame (no intermediate copy). */
export function encodeRecord(payload: string | Buffer): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.length
  const frame = Buffer.allocUnsafe(HEADER_BYTES + length)
  if (typeof payload === 'string') frame.write(payload, HEADER_BYTES, 'utf8')
  else payload.copy(frame, HEADER_BYTES)
  frame.writeUInt32LE(RECORD_MAGIC, 0)
  frame.writeUInt32LE(length, 4)
  frame.writeUInt32LE(crc32(frame.subarray(HEADER_BYTES)) >>> 0, 8)
  return frame
}

/**
 * The whole records at the start of `data`, and how many bytes they take. Reading stops at the first
 * record that is incomplete, has a wrong magic or length, or fails its checksum: what follows it in
 * this file cannot be trusted to be whole.
 */
export function decodeRecords(data: Buffer, crc: (b: Buffer) => number = defaultCrc): { payloads: Buffer[]; validBytes: number } {
  const payloads: Buffer[] = []
  let at = 0
  while (at + HEADER_BYTES <= data.length) {
    if (data.readUInt32LE(at) !== RECORD_MAGIC) break
    const length = data.readUInt32LE(at + 4)
    if (length > MAX_RECORD_BYTES || at + HEADER_BYTES + length > data.length) break
    const payload = data.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length)
    if (crc(payload) >>> 0 !== data.readUInt32LE(at + 8)) break
    payloads.push(Buffer.from(payload))
    at += HEADER_BYTES + length
  }
  return { payloads, validBytes: at }
}

const defaultCrc = (b: Buffer): number => crc32(b)
