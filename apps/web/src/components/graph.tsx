import type { Schemas } from '../api/client.js'
import { PALETTE } from './chart.js'

type Graph = Schemas['TraceGraph']

/**
 * The agents of a trace and their hand-offs, left to right by first appearance depth. Without agents,
 * the spans' parent→child tree is drawn the same way (capped at 60 nodes).
 */
export function AgentGraph({ graph }: { graph: Graph }) {
  const handoffs = graph.edges.filter((e) => e.type === 'handoff' && e.from_agent && e.to_agent)
  const agents = [...new Set(graph.nodes.map((n) => n.agent_id).filter((a): a is string => !!a))]
  const useAgents = agents.length > 0
  const nodes = useAgents ? agents : graph.nodes.slice(0, 60).map((n) => n.id)
  const label = (id: string) => (useAgents ? id : (graph.nodes.find((n) => n.id === id)?.name ?? id))
  const edges = useAgents
    ? [
        ...new Map(
          handoffs.map((e) => [`${e.from_agent}>${e.to_agent}`, [e.from_agent ?? '', e.to_agent ?? '']]),
        ).values(),
      ]
    : graph.edges.filter((e) => nodes.includes(e.from) && nodes.includes(e.to)).map((e) => [e.from, e.to])
  if (nodes.length === 0) return <p class="muted">No spans.</p>

  // Depth = longest path from a node nobody points to (cycles cut at the node count).
  const depth = new Map<string, number>(nodes.map((n) => [n, 0]))
  for (let i = 0; i < nodes.length; i++)
    for (const [a, b] of edges)
      if (a !== undefined && b !== undefined && a !== b)
        depth.set(b, Math.max(depth.get(b) ?? 0, (depth.get(a) ?? 0) + 1))
  const columns = new Map<number, string[]>()
  for (const n of nodes) {
    const d = Math.min(depth.get(n) ?? 0, nodes.length)
    columns.set(d, [...(columns.get(d) ?? []), n])
  }
  const W = 170
  const H = 44
  const pos = new Map<string, { x: number; y: number }>()
  for (const [d, list] of columns) list.forEach((n, i) => pos.set(n, { x: 10 + d * W, y: 10 + i * H }))
  const width = 10 + (Math.max(...columns.keys()) + 1) * W
  const height = 10 + Math.max(...[...columns.values()].map((l) => l.length)) * H
  return (
    <svg
      class="graph"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label="agent graph"
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
          <path d="M0,0 L10,5 L0,10 z" class="arrow" />
        </marker>
      </defs>
      {edges.map(([a, b], i) => {
        const p = pos.get(a ?? '')
        const q = pos.get(b ?? '')
        if (!p || !q) return null
        return (
          <line key={i} x1={p.x + 130} y1={p.y + 14} x2={q.x} y2={q.y + 14} class="edge" marker-end="url(#arrow)" />
        )
      })}
      {nodes.map((n, i) => {
        const p = pos.get(n)
        if (!p) return null
        return (
          <g key={n}>
            <rect x={p.x} y={p.y} width={130} height={28} rx={6} fill={PALETTE[i % PALETTE.length]} />
            <text x={p.x + 8} y={p.y + 18} class="node-label">
              {label(n).length > 18 ? `${label(n).slice(0, 17)}…` : label(n)}
            </text>
          </g>
        )
      })}
    </svg>
  )
}
