import type { SpanView } from '@tollgate/core'
import type { ComplianceFacts, MonthlyReport, TraceReportData } from '../src/index.js'
import { scoreTrace } from '../src/index.js'

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const T0 = Date.parse('2026-11-03T09:15:00.000Z')
const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z')

/** A well-formed model-call span; tests override what they break. */
export function spanView(i: number, overrides: Partial<SpanView> = {}): SpanView {
  const start = T0 + i * 400
  const end = start + 350 + i * 20
  return {
    trace_id: TRACE_ID,
    span_id: `00000000000000${String(i).padStart(2, '0')}`,
    parent_span_id: i === 0 ? null : '0000000000000000',
    name: i === 0 ? 'research-run' : `openai.chat.completions #${i}`,
    kind: i === 0 ? 'agent' : 'llm',
    start_time: iso(start),
    end_time: iso(end),
    duration_ms: end - start,
    status: 'ok',
    error_message: null,
    provider: i === 0 ? null : 'openai',
    model: i === 0 ? null : i % 3 === 0 ? 'gpt-4o-mini' : 'gpt-4o',
    response_model: null,
    operation: i === 0 ? null : 'chat',
    stream: false,
    ttft_ms: null,
    usage: {
      input_tokens: i === 0 ? 0 : 1000 + i * 10,
      output_tokens: i === 0 ? 0 : 200 + i,
      total_tokens: i === 0 ? 0 : 1200 + i * 11,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      reasoning_tokens: 0,
    },
    cost: i === 0 ? null : { input_usd: 0.0025, output_usd: 0.002, total_usd: 0.0045 },
    cost_status: i === 0 ? 'unknown' : 'computed',
    price_source: i === 0 ? null : 'genai-prices@test',
    agent: {
      id: i % 2 ? 'researcher' : 'writer',
      name: i % 2 ? 'Researcher' : 'Writer',
      role: 'Agent',
      parent_id: null,
    },
    user_id: null,
    session_id: null,
    tags: {},
    input: i === 0 ? null : 'What does Art. 12 require?',
    output: i === 0 ? null : 'Automatic recording of events.',
    input_truncated: false,
    output_truncated: false,
    attributes: {},
    pii_detected: false,
    pii_types: [],
    injection_attempt: false,
    sampled: false,
    source: 'native',
    ingested_at: iso(end + 50),
    ...overrides,
  }
}

export const goodTrace = (n = 8): SpanView[] => Array.from({ length: n }, (_, i) => spanView(i))

export const goodFacts: ComplianceFacts = {
  config: { retentionDays: 365, zeroDataRetention: false, piiPolicy: 'redact' },
  audit: { intact: true, entries: 12 },
  breaker: { interventions: 0, audited: 0 },
}

export function traceReportData(spans: SpanView[] = goodTrace(14)): TraceReportData {
  const llm = spans.filter((s) => s.model)
  const sum = (f: (s: SpanView) => number) => spans.reduce((a, s) => a + f(s), 0)
  const models = [...new Set(llm.map((s) => s.model ?? ''))]
  return {
    report_id: 'rpt_01JD0000000000000000000000',
    generated_at: '2026-11-04T10:00:00.000Z',
    project_id: 'default',
    trace: {
      trace_id: TRACE_ID,
      name: 'research-run',
      start_time: spans[0]?.start_time ?? '',
      end_time:
        spans
          .map((s) => s.end_time)
          .sort()
          .at(-1) ?? '',
      duration_ms:
        Date.parse(
          spans
            .map((s) => s.end_time)
            .sort()
            .at(-1) ?? '',
        ) - Date.parse(spans[0]?.start_time ?? ''),
      spans: spans.length,
      errors: spans.filter((s) => s.status === 'error').length,
      input_tokens: sum((s) => s.usage.input_tokens),
      output_tokens: sum((s) => s.usage.output_tokens),
      cost_usd: sum((s) => s.cost?.total_usd ?? 0),
      unknown_cost_spans: spans.filter((s) => s.cost_status === 'unknown').length,
      models,
      agents: ['researcher', 'writer'],
    },
    spans,
    costs_by_model: models.map((m) => {
      const of = llm.filter((s) => s.model === m)
      return {
        provider: 'openai',
        model: m,
        calls: of.length,
        input_tokens: of.reduce((a, s) => a + s.usage.input_tokens, 0),
        output_tokens: of.reduce((a, s) => a + s.usage.output_tokens, 0),
        cost_usd: of.reduce((a, s) => a + (s.cost?.total_usd ?? 0), 0),
      }
    }),
    compliance: scoreTrace(TRACE_ID, spans, goodFacts),
    audit: [
      {
        seq: 3,
        at: '2026-11-03T09:15:02.100Z',
        actor: 'sdk:proc-1',
        action: 'circuit.transition',
        target: 'agent researcher',
        detail: 'CLOSED -> OPEN (budget)',
      },
      {
        seq: 4,
        at: '2026-11-04T10:00:00.000Z',
        actor: 'key_abc',
        action: 'report.generated',
        target: `trace ${TRACE_ID}`,
        detail: '',
      },
    ],
    audit_head: { seq: 4, hash: 'a'.repeat(64) },
  }
}

export function monthlyReport(): MonthlyReport {
  const days = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 4 !== 3)
  const cost_by_day = days.map((i) => ({
    day: `2026-11-${String(i + 1).padStart(2, '0')}`,
    calls: 100 + i * 7,
    input_tokens: 100_000 + i * 5000,
    output_tokens: 20_000 + i * 900,
    cost_usd: Math.round((2 + Math.sin(i / 3) * 1.5 + i * 0.1) * 100) / 100,
  }))
  const total = cost_by_day.reduce((a, r) => a + r.cost_usd, 0)
  const calls = cost_by_day.reduce((a, r) => a + r.calls, 0)
  const inTok = cost_by_day.reduce((a, r) => a + r.input_tokens, 0)
  const outTok = cost_by_day.reduce((a, r) => a + r.output_tokens, 0)
  const split = (shares: number[]) => shares.map((s) => Math.round(total * s * 100) / 100)
  const [m1 = 0, m2 = 0, m3 = 0] = split([0.62, 0.3, 0.08])
  return {
    month: '2026-11',
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    total_cost_usd: total,
    traces: 812,
    spans: calls,
    input_tokens: inTok,
    output_tokens: outTok,
    tokens: inTok + outTok,
    error_rate: 0.0213,
    unknown_cost_calls: 4,
    cost_by_day,
    cost_by_model: [
      { provider: 'openai', model: 'gpt-4o', calls: 2000, input_tokens: 1, output_tokens: 1, cost_usd: m1 },
      {
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        calls: 900,
        input_tokens: 1,
        output_tokens: 1,
        cost_usd: m2,
      },
      { provider: 'openai', model: 'gpt-4o-mini', calls: 400, input_tokens: 1, output_tokens: 1, cost_usd: m3 },
    ],
    cost_by_agent: [
      {
        agent_id: 'researcher',
        agent_name: 'Researcher',
        calls: 2100,
        input_tokens: 1,
        output_tokens: 1,
        cost_usd: m1 + m3,
      },
      { agent_id: 'writer', agent_name: 'Writer', calls: 1200, input_tokens: 1, output_tokens: 1, cost_usd: m2 },
    ],
    top_traces: Array.from({ length: 10 }, (_, i) => ({
      trace_id: `${TRACE_ID.slice(0, 28)}${String(1000 + i)}`,
      name: i % 2 ? 'research-run' : 'write-summary',
      start_time: `2026-11-${String(i + 2).padStart(2, '0')}T08:00:00.000000Z`,
      spans: 40 - i,
      cost_usd: 3.2 - i * 0.21,
    })),
  }
}
