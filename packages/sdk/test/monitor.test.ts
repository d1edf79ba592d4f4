import { describe, expect, it } from 'vitest'
import { Breaker } from '../src/breaker/breaker.js'
import { PROBE_TIMEOUT_MS } from '../src/breaker/monitor.js'
import type { Transition } from '../src/breaker/types.js'
import { SlidingWindow } from '../src/breaker/window.js'
import type { AgentFrame } from '../src/context.js'

function clock(start = 1_000_000) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

describe('SlidingWindow', () => {
  it('sums what was added within the window and forgets the rest', () => {
    const c = clock()
    const w = new SlidingWindow(60_000)
    w.add(c.now(), 2)
    c.advance(30_000)
    w.add(c.now(), 3)
    expect(w.read(c.now())).toEqual({ sum: 5, count: 2 })
    c.advance(31_000)
    expect(w.read(c.now())).toEqual({ sum: 3, count: 1 })
    c.advance(60_000)
    expect(w.read(c.now())).toEqual({ sum: 0, count: 0 })
  })

  it('keeps constant memory whatever the rate', () => {
    const w = new SlidingWindow(60_000)
    for (let i = 0; i < 100_000; i++) w.add(1_000_000 + i, 1)
    expect(w.read(1_100_000).count).toBeGreaterThan(59_000)
  })
})

describe('Breaker with a controlled clock', () => {
  const frame = (id: string, limits: AgentFrame['limits']): AgentFrame => ({
    id,
    name: id,
    role: null,
    parent_id: null,
    spanId: 'a'.repeat(16),
    limits,
  })

  it('budget spend leaves the window after an hour', () => {
    const c = clock()
    const transitions: Transition[] = []
    const b = new Breaker({
      global: { budgetPerHour: 1, blockOnThreshold: true },
      now: c.now,
      onTransition: (t) => transitions.push(t),
    })
    const first = b.check([])
    if (!first.ok) throw new Error('first call blocked')
    b.record(first.ticket, 1.5, false)
    const blocked = b.check([])
    if (blocked.ok) throw new Error('expected a block')
    // Closing the circuit does not forgive the spend: the next call trips it again...
    blocked.event.monitor.increaseBudget(0)
    expect(b.check([]).ok).toBe(false)
    // ...until the spend has left the rolling hour (plus at most one 1-minute bucket).
    c.advance(3_661_000)
    blocked.event.monitor.increaseBudget(0)
    expect(b.check([]).ok).toBe(true)
    expect(transitions.map((t) => t.event)).toEqual(['triggered', 'budget_increased', 'triggered', 'budget_increased'])
  })

  it('a lost probe stops holding the circuit after PROBE_TIMEOUT_MS', () => {
    const c = clock()
    const b = new Breaker({ global: { maxCallsPerMinute: 1, blockOnThreshold: true }, now: c.now })
    b.check([])
    const blocked = b.check([])
    if (blocked.ok) throw new Error('expected a block')
    blocked.event.monitor.pause(0)
    expect(b.check([]).ok).toBe(true) // the probe, never completed
    expect(b.check([])).toMatchObject({ ok: false, error: { reason: 'circuit_half_open' } })
    c.advance(PROBE_TIMEOUT_MS + 1)
    expect(b.check([]).ok).toBe(true)
  })

  it('an agent inherits the global blockOnThreshold unless it sets its own', () => {
    const b = new Breaker({ global: { blockOnThreshold: true } })
    const agents = [frame('a', { maxCallsPerMinute: 1 })]
    b.check(agents)
    expect(b.check(agents).ok).toBe(false)
    const lenient = [frame('b', { maxCallsPerMinute: 1, blockOnThreshold: false })]
    b.check(lenient)
    expect(b.check(lenient).ok).toBe(true)
  })
})
