import { z } from 'zod'
import type { SpanView } from './spans.js'

export const TraceGraph = z.object({
  nodes: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), agent_id: z.string().nullable(), status: z.string() })),
  edges: z.array(
    z.object({ from: z.string(), to: z.string(), type: z.enum(['child', 'handoff']), from_agent: z.string().optional(), to_agent: z.string().optional() }),
  ),
})
export type TraceGraph = z.infer<typeof TraceGraph>

/**
 * Parent→child edges for every span whose parent is in the trace, plus a hand-off edge where the
 * agent changes between parent and child. A parent that has not arrived yet (children are often sent
 * before their root) leaves its children as roots rather than inventing a node.
 */
export function buildTraceGraph(spans: SpanView[]): TraceGraph {
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
      graph.edges.push({ from: parent.span_id, to: s.span_id, type: 'handoff', from_agent: fromAgent, to_agent: toAgent })
    }
  }
  return graph
}
