import protobuf from 'protobufjs'
import { MalformedBodyError } from '@tollgate/core'
import { OTLP_TRACE_DESCRIPTOR } from './descriptor.js'

const root = protobuf.Root.fromJSON(OTLP_TRACE_DESCRIPTOR as protobuf.INamespace)
const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest')
const Response = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse')

/**
 * A protobuf `ExportTraceServiceRequest` as protobufjs decodes it, which the normaliser reads as it
 * is (bytes as Buffers, int64 as Long values, unset fields only on the prototype): no copy into plain
 * objects, no ids or times turned into text and back. A body protobufjs cannot decode is a 400.
 */
export function decodeTraceRequest(body: Uint8Array): unknown {
  try {
    return Request.decode(body)
  } catch (err) {
    throw new MalformedBodyError(
      `body is not a protobuf ExportTraceServiceRequest: ${(err as Error).message.slice(0, 200)}`,
    )
  }
}

/** `ExportTraceServiceResponse`, with `partial_success` when spans were rejected. */
export interface TraceResponse {
  partialSuccess?: { rejectedSpans: number; errorMessage: string }
}

export function encodeTraceResponse(response: TraceResponse): Uint8Array {
  return Response.encode(Response.fromObject(response)).finish()
}

/** The protobuf encoder for tests and the bench (what an exporter would send). */
export function encodeTraceRequest(request: unknown): Uint8Array {
  return Request.encode(Request.fromObject(request as Record<string, unknown>)).finish()
}

export function decodeTraceResponse(body: Uint8Array): unknown {
  return Response.toObject(Response.decode(body), { longs: Number, defaults: false })
}
