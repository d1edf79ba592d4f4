// Traces as the query API serves them (docs/architecture.md, Queries): zod schemas (validation and the OpenAPI document),
// their inferred types, and the pure logic over them. No database here; rows and their converters
// live in @tollgate/store.
import { z } from 'zod'

/** One trace in `GET /api/traces`. */
export const TraceSummary = z.object({
  trace_id: z.string(),
  name: z.string().describe("the root span's name (the earliest span while the root has not arrived)"),
  start_time: z.string(),
  end_time: z.string(),
  duration_ms: z.number(),
  span_count: z.number(),
  error_count: z.number(),
  status: z.enum(['ok', 'error', 'unset']),
  input_tokens: z.number(),
  output_tokens: z.number(),
  total_cost_usd: z.number(),
  models: z.array(z.string()),
  agent_ids: z.array(z.string()),
})
export type TraceSummary = z.infer<typeof TraceSummary>

const UsageView = z.object({
  input_tokens: z.number(),
  output_tokens: z.number(),
  total_tokens: z.number(),
  cache_read_tokens: z.number(),
  cache_write_tokens: z.number(),
  reasoning_tokens: z.number(),
})

/** A span as the query API returns it. */
export const SpanView = z.object({
  trace_id: z.string(),
  span_id: z.string(),
  parent_span_id: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  start_time: z.string().describe('RFC 3339, UTC, microseconds'),
  end_time: z.string(),
  duration_ms: z.number(),
  status: z.enum(['ok', 'error', 'unset']),
  error_message: z.string().nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  response_model: z.string().nullable(),
  operation: z.string().nullable(),
  stream: z.boolean(),
  ttft_ms: z.number().nullable(),
  usage: UsageView,
  cost: z.object({ input_usd: z.number(), output_usd: z.number(), total_usd: z.number() }).nullable(),
  cost_status: z.enum(['reported', 'computed', 'unknown']),
  price_source: z.string().nullable().describe('genai-prices@<version>, prices-file:<sha256 prefix> or reported'),
  agent: z.object({ id: z.string(), name: z.string(), role: z.string(), parent_id: z.string().nullable() }).nullable(),
  user_id: z.string().nullable(),
  session_id: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  input: z.string().nullable(),
  output: z.string().nullable(),
  input_truncated: z.boolean(),
  output_truncated: z.boolean(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  pii_detected: z.boolean(),
  pii_types: z.array(z.string()),
  injection_attempt: z.boolean(),
  sampled: z.boolean(),
  source: z.string(),
  ingested_at: z.string(),
})
export type SpanView = z.infer<typeof SpanView>

export const TraceGraph = z.object({
  nodes: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.string(),
      agent_id: z.string().nullable(),
      status: z.string(),
    }),
  ),
  edges: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      type: z.enum(['child', 'handoff']),
      from_agent: z.string().optional(),
      to_agent: z.string().optional(),
    }),
  ),
})
export type TraceGraph = z.infer<typeof TraceGraph>

/** What the graph needs of a span; SpanView has it. */
export type GraphSpan = Pick<SpanView, 'span_id' | 'parent_span_id' | 'name' | 'kind' | 'status' | 'agent'>

/**
 * Parent→child edges for every span whose parent is in the trace, plus a hand-off edge where the
 * agent changes between parent and child. A parent that has not arrived yet (children are often sent
 * before their root) leaves its children as roots rather than inventing a node.
 */
export function buildTraceGraph(spans: readonly GraphSpan[]): TraceGraph {
  const byId = new Map(spans.map((s) => [s.span_id, s]))
  const graph: TraceGraph = { nodes: [], edges: [] }
  for (const s of spans) {
    graph.nodes.push({ id: s.span_id, name: s.name, kind: s.kind, agent_id: s.agent?.id ?? null, status: s.status })
    const parent = s.parent_span_id ? byId.get(s.parent_span_id) : undefined
    if (!parent) continue
    graph.edges.push({ from: parent.span_id, to: s.span_id, type: 'child' })
    const fromAgent = parent.agent?.id
    const toAgent = s.agent?.id
    if (fromAgent && toAgent && fromAgent !== toAgent) {
      graph.edges.push({
        from: parent.span_id,
        to: s.span_id,
        type: 'handoff',
        from_agent: fromAgent,
        to_agent: toAgent,
      })
    }
  }
  return graph
}
