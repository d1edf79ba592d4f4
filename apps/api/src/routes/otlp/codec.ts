import protobuf from 'protobufjs'
import { MalformedBodyError } from '@tollgate/core'
import { OTLP_TRACE_DESCRIPTOR } from './descriptor.js'

const root = protobuf.Root.fromJSON(OTLP_TRACE_DESCRIPTOR as protobuf.INamespace)
const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest')
const Response = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse')

/**
 * A protobuf `ExportTraceServiceRequest` as the plain object shape of the OTLP JSON mapping, which the
 * normaliser reads (bytes stay Buffers and int64 stay Long values: both cost a conversion per field
 * when turned into text, and the normaliser reads them as they are); a body protobufjs cannot decode
 * is a 400.
 */
export function decodeTraceRequest(body: Uint8Array): unknown {
  let message: protobuf.Message
  try {
    message = Request.decode(body)
  } catch (err) {
    throw new MalformedBodyError(
      `body is not a protobuf ExportTraceServiceRequest: ${(err as Error).message.slice(0, 200)}`,
    )
  }
  return Request.toObject(message, { enums: Number, defaults: false })
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
