import { describe, expect, it } from 'vitest'
import { buildTraceGraph, type GraphSpan } from '../src/index.js'

const s = (id: string, parent: string | null, agent: string | null = null): GraphSpan => ({
  span_id: id,
  parent_span_id: parent,
  name: `n-${id}`,
  kind: 'llm',
  status: 'ok',
  agent: agent ? { id: agent, name: agent, role: '', parent_id: null } : null,
})

describe('buildTraceGraph', () => {
  it.each([
    { name: 'a single span', spans: [s('a', null)], edges: [] },
    { name: 'parent and child', spans: [s('a', null), s('b', 'a')], edges: [{ from: 'a', to: 'b', type: 'child' }] },
    {
      name: 'a hand-off where the agent changes',
      spans: [s('a', null, 'planner'), s('b', 'a', 'coder'), s('c', 'b', 'coder')],
      edges: [
        { from: 'a', to: 'b', type: 'child' },
        { from: 'a', to: 'b', type: 'handoff', from_agent: 'planner', to_agent: 'coder' },
        { from: 'b', to: 'c', type: 'child' },
      ],
    },
    { name: 'a child whose parent has not arrived stays a root', spans: [s('b', 'missing')], edges: [] },
    {
      name: 'no hand-off when one side has no agent',
      spans: [s('a', null, 'planner'), s('b', 'a')],
      edges: [{ from: 'a', to: 'b', type: 'child' }],
    },
  ])('$name', ({ spans, edges }) => {
    const graph = buildTraceGraph(spans)
    expect(graph.nodes.map((n) => n.id)).toEqual(spans.map((x) => x.span_id))
    expect(graph.edges).toEqual(edges)
  })
})
