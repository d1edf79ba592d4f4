import { describe, expect, it } from 'vitest'
import type { SpanView } from '@tollgate/core'
import { CHECKS, scoreTrace, type ComplianceFacts } from '../src/index.js'
import { goodFacts, goodTrace, spanView, TRACE_ID } from './fixtures.js'

const withFacts = (patch: Partial<ComplianceFacts>): ComplianceFacts => ({ ...goodFacts, ...patch })
const replace = (i: number, overrides: Partial<SpanView>): SpanView[] =>
  goodTrace().map((s, j) => (j === i ? spanView(i, overrides) : s))

/** Per check: a crafted trace (and facts) that passes it and one that fails it. */
const cases: [
  string,
  { pass: [SpanView[], ComplianceFacts]; fail: [SpanView[], ComplianceFacts]; failDetail: RegExp },
][] = [
  [
    'timestamps',
    {
      pass: [goodTrace(), goodFacts],
      // An LLM call whose end was never reported (the end defaults to the start).
      fail: [replace(3, { end_time: spanView(3).start_time, duration_ms: 0 }), goodFacts],
      failDetail: /1 span\(s\) without a usable start and end time: 0+03/,
    },
  ],
  [
    'model_identity',
    {
      pass: [goodTrace(), goodFacts],
      fail: [replace(2, { model: null }), goodFacts],
      failDetail: /without provider or model: 0+02/,
    },
  ],
  [
    'io_recorded',
    {
      // Text dropped, but the span records why.
      pass: [
        replace(4, { input: null, output: null, attributes: { 'tollgate.retention_reason': 'customer contract' } }),
        goodFacts,
      ],
      fail: [replace(4, { input: null, output: null }), goodFacts],
      failDetail: /without input\/output and without a reason: 0+04/,
    },
  ],
  [
    'errors_recorded',
    {
      pass: [replace(5, { status: 'error', error_message: '429 rate limited' }), goodFacts],
      fail: [replace(5, { status: 'error', error_message: null }), goodFacts],
      failDetail: /with status error and no message: 0+05/,
    },
  ],
  [
    'agent_attribution',
    {
      pass: [goodTrace(), goodFacts],
      fail: [replace(6, { agent: null }), goodFacts],
      failDetail: /without an agent: 0+06/,
    },
  ],
  [
    'trace_complete',
    {
      pass: [goodTrace(), goodFacts],
      fail: [replace(7, { parent_span_id: 'ffffffffffffffff' }), goodFacts],
      failDetail: /whose parent is missing: 0+07/,
    },
  ],
  [
    'retention_policy',
    {
      pass: [goodTrace(), withFacts({ config: { ...goodFacts.config, retentionDays: 183 } })],
      fail: [goodTrace(), withFacts({ config: { ...goodFacts.config, retentionDays: 30 } })],
      failDetail: /DATA_RETENTION_DAYS=30, below 183/,
    },
  ],
  [
    'audit_trail_intact',
    {
      pass: [goodTrace(), goodFacts],
      fail: [goodTrace(), withFacts({ audit: { intact: false, entries: 4, brokenAt: 5 } })],
      failDetail: /chain broken at entry 5/,
    },
  ],
  [
    'breaker_interventions_logged',
    {
      pass: [goodTrace(), withFacts({ breaker: { interventions: 2, audited: 2 } })],
      fail: [goodTrace(), withFacts({ breaker: { interventions: 3, audited: 1 } })],
      failDetail: /2 of 3 transition\(s\) not audited/,
    },
  ],
]

describe('compliance checks', () => {
  it('weights add up to 100 and every check has a case here', () => {
    expect(CHECKS.reduce((s, c) => s + c.weight, 0)).toBe(100)
    expect(cases.map(([id]) => id)).toEqual(CHECKS.map((c) => c.id))
  })

  describe.each(cases)('%s', (id, { pass, fail, failDetail }) => {
    const weight = CHECKS.find((c) => c.id === id)?.weight ?? 0
    it('passes on its passing trace (score 100)', () => {
      const result = scoreTrace(TRACE_ID, ...pass)
      expect(result.checks.find((c) => c.id === id)?.passed).toBe(true)
      expect(result.score).toBe(100)
    })
    it('fails on its failing trace, naming what is wrong, and only it fails', () => {
      const result = scoreTrace(TRACE_ID, ...fail)
      const check = result.checks.find((c) => c.id === id)
      expect(check?.passed).toBe(false)
      expect(check?.detail).toMatch(failDetail)
      expect(result.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual([id])
      expect(result.score).toBe(100 - weight)
    })
  })

  it('accepts each recorded reason for text not kept, and none other', () => {
    const dropped = { input: null, output: null }
    const io = (spans: SpanView[], facts = goodFacts) =>
      scoreTrace(TRACE_ID, spans, facts).checks.find((c) => c.id === 'io_recorded')
    expect(
      io(replace(1, dropped), withFacts({ config: { ...goodFacts.config, zeroDataRetention: true } }))?.passed,
    ).toBe(true)
    expect(io(replace(1, { ...dropped, attributes: { zero_data_retention: true } }))?.passed).toBe(true)
    expect(io(replace(1, { ...dropped, pii_detected: true, pii_types: ['email'] }))?.passed).toBe(true)
    expect(
      io(
        replace(1, { ...dropped, pii_detected: true }),
        withFacts({ config: { ...goodFacts.config, piiPolicy: 'keep' } }),
      )?.passed,
    ).toBe(false)
    expect(io(replace(1, { ...dropped, attributes: { zero_data_retention: false } }))?.passed).toBe(false)
  })

  it('two roots fail completeness', () => {
    const result = scoreTrace(TRACE_ID, replace(2, { parent_span_id: null }), goodFacts)
    expect(result.checks.find((c) => c.id === 'trace_complete')?.detail).toBe('2 root spans; expected exactly one')
  })

  it('same data, same score and checks', () => {
    const spans = replace(3, { agent: null, model: null })
    expect(scoreTrace(TRACE_ID, spans, goodFacts)).toEqual(scoreTrace(TRACE_ID, structuredClone(spans), goodFacts))
    expect(scoreTrace(TRACE_ID, spans, goodFacts).score).toBe(100 - 15 - 10)
  })
})
