import { crc32 } from 'node:zlib'

/**
 * One record: magic (u32) · payload length (u32) · CRC-32 of length and payload (u32) · payload.
 * Little-endian. The magic makes a zeroed or foreign tail fail fast; the CRC, which covers the length
 * too, catches a torn or corrupted record — including a header torn after its magic in a zero-filled
 * segment, which would otherwise read as a valid empty record (CRC-32 of nothing is 0). Payloads are
 * never empty.
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
  frame.writeUInt32LE(recordCrc(frame.subarray(4, 8), frame.subarray(HEADER_BYTES)), 8)
  return frame
}

/**
 * The whole records at the start of `data`, and how many bytes they take. Reading stops at the first
 * record that is incomplete, has a wrong magic or length, or fails its checksum: what follows it in
 * this file cannot be trusted to be whole.
 */
export function decodeRecords(data: Buffer): { payloads: Buffer[]; validBytes: number } {
  const payloads: Buffer[] = []
  let at = 0
  while (at + HEADER_BYTES <= data.length) {
    if (data.readUInt32LE(at) !== RECORD_MAGIC) break
    const length = data.readUInt32LE(at + 4)
    if (length === 0 || length > MAX_RECORD_BYTES || at + HEADER_BYTES + length > data.length) break
    const payload = data.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length)
    if (recordCrc(data.subarray(at + 4, at + 8), payload) !== data.readUInt32LE(at + 8)) break
    payloads.push(Buffer.from(payload))
    at += HEADER_BYTES + length
  }
  return { payloads, validBytes: at }
}

const recordCrc = (lengthBytes: Buffer, payload: Buffer): number => crc32(payload, crc32(lengthBytes)) >>> 0
