import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { currentTraceId, currentTraceparent } from '../src/context.js'
import { parseTraceparent } from '../src/ids.js'
import type { Harness } from './helpers/harness.js'
import { startHarness } from './helpers/harness.js'

let h: Harness
beforeEach(async () => {
  h = await startHarness({ durability: 'best_effort' }, false)
})
afterEach(() => h.close())

const byName = async (n: number) => Object.fromEntries((await h.waitSpans(n)).map((s) => [s.name, s]))

describe('trace, span, agent', () => {
  it('nests spans across awaits and reports each once, with parents', async () => {
    const c = h.client
    const result = await c.trace(
      'root',
      async () => {
        await c.span('step-1', async () => {
          await new Promise((r) => setTimeout(r, 5))
          c.report({ name: 'manual', kind: 'tool' })
        })
        return c.span('step-2', () => 42, { kind: 'retrieval' })
      },
      { userId: 'u1', sessionId: 's1', tags: { feature: 'qa' } },
    )
    expect(result).toBe(42)
    const s = await byName(4)
    expect(s['step-1']?.parent_span_id).toBe(s.root?.span_id)
    expect(s['step-2']).toMatchObject({ parent_span_id: s.root?.span_id, kind: 'retrieval' })
    expect(s.manual).toMatchObject({
      parent_span_id: s['step-1']?.span_id,
      kind: 'tool',
      user_id: 'u1',
      session_id: 's1',
      tags: { feature: 'qa' },
    })
    expect(new Set(Object.values(s).map((x) => x.trace_id)).size).toBe(1)
    expect(s.root).toMatchObject({ parent_span_id: null, kind: 'chain', status: 'ok' })
  })

  it('keeps concurrent traces apart', async () => {
    const c = h.client
    const ids = await Promise.all(
      [1, 2, 3].map((i) =>
        c.trace(`t${i}`, async () => {
          await new Promise((r) => setTimeout(r, 10 - i * 3))
          return c.span(`child${i}`, () => currentTraceId())
        }),
      ),
    )
    const s = await byName(6)
    for (const i of [1, 2, 3]) {
      expect(s[`child${i}`]?.trace_id).toBe(ids[i - 1])
      expect(s[`child${i}`]?.parent_span_id).toBe(s[`t${i}`]?.span_id)
    }
  })

  it('marks a span as error when fn throws or rejects, and rethrows the same error', async () => {
    const c = h.client
    const boom = new Error('boom')
    expect(() =>
      c.trace('sync-fail', () => {
        throw boom
      }),
    ).toThrow(boom)
    await expect(c.trace('async-fail', () => Promise.reject(boom))).rejects.toBe(boom)
    const s = await byName(2)
    expect(s['sync-fail']).toMatchObject({ status: 'error', error_message: 'boom' })
    expect(s['async-fail']).toMatchObject({ status: 'error', error_message: 'boom' })
  })

  it('continues a remote trace from a traceparent and propagates its own', async () => {
    const c = h.client
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    let outgoing: string | undefined
    c.trace(
      'handler',
      () => {
        outgoing = currentTraceparent()
      },
      { traceparent: incoming },
    )
    const [root] = await h.waitSpans(1)
    expect(root).toMatchObject({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', parent_span_id: '00f067aa0ba902b7' })
    expect(parseTraceparent(outgoing)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: root?.span_id,
      sampled: true,
    })
  })

  it('attributes spans to the innermost agent with its parent agent', async () => {
    const c = h.client
    c.agent({ name: 'Planner', role: 'orchestrator' }, () =>
      c.agent({ name: 'Coder', id: 'coder-7' }, () => c.report({ name: 'inner' })),
    )
    const s = await byName(3)
    expect(s.Planner).toMatchObject({
      kind: 'agent',
      agent: { id: 'planner', name: 'Planner', role: 'orchestrator', parent_id: null },
    })
    expect(s.Coder).toMatchObject({
      parent_span_id: s.Planner?.span_id,
      agent: { id: 'coder-7', parent_id: 'planner' },
    })
    expect(s.inner).toMatchObject({
      parent_span_id: s.Coder?.span_id,
      agent: { id: 'coder-7', name: 'Coder', parent_id: 'planner' },
    })
  })

  it('has no current trace outside of one', () => {
    expect(currentTraceId()).toBeUndefined()
    expect(currentTraceparent()).toBeUndefined()
  })
})

describe('report()', () => {
  it('never throws, whatever it is given', async () => {
    const c = h.client
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const odd: unknown[] = [
      null,
      undefined,
      42,
      'x',
      { kind: 'nope', status: 7 },
      { input: circular },
      { attributes: { big: 10n } },
      { start_time: Symbol('x') },
    ]
    for (const v of odd) expect(() => c.report(v as never)).not.toThrow()
    const spans = await h.waitSpans(1)
    // Non-objects and unserializable spans are dropped and counted, the rest delivered with defaults.
    expect(spans.every((s) => /^[0-9a-f]{32}$/.test(s.trace_id) && /^[0-9a-f]{16}$/.test(s.span_id))).toBe(true)
    const dropped = h.ingest.batches.map((b) => b.body.client?.dropped).filter(Boolean)
    expect(dropped).toEqual([{ invalid: 4, unserializable: 1 }])
  })

  it('fills ids and times, keeps explicit values and fixes invalid enums', async () => {
    h.client.report({
      name: 'x',
      kind: 'bogus' as never,
      status: 'weird' as never,
      span_id: 'abcdefabcdefabcd',
      start_time: 1000,
      end_time: 2000,
    })
    const [s] = await h.waitSpans(1)
    expect(s).toMatchObject({
      name: 'x',
      kind: 'other',
      status: 'unset',
      span_id: 'abcdefabcdefabcd',
      start_time: 1000,
      end_time: 2000,
    })
  })
})
