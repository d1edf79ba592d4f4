import type { SpanRow } from '../src/index.js'

/** ClickHouse's DateTime64 text for an epoch-ms instant. */
export const chTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '')

/**
 * A stored span row with every column blank or zero (an ok, unpriced `llm` span of 1 ms at `startMs`),
 * for tests that write rows straight into ClickHouse; `overrides` sets what the test is about.
 */
export function blankSpanRow(n: number, startMs: number, overrides: Partial<SpanRow> = {}): SpanRow {
  return {
    project_id: 'default',
    trace_id: n.toString(16).padStart(32, '0'),
    span_id: '0000000000000001',
    parent_span_id: '',
    name: 'x',
    kind: 'llm',
    start_time: chTime(startMs),
    end_time: chTime(startMs + 1),
    duration_ms: 0,
    status: 'ok',
    error_message: '',
    provider: '',
    model: '',
    response_model: '',
    operation: '',
    stream: false,
    ttft_ms: null,
    input_tokens: 0,
    output_tokens: 0,
    total_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_input_usd: 0,
    cost_output_usd: 0,
    cost_total_usd: 0,
    cost_status: 'unknown',
    price_source: '',
    agent_id: '',
    agent_name: '',
    agent_role: '',
    agent_parent_id: '',
    user_id: '',
    session_id: '',
    tags: {},
    input: '',
    output: '',
    input_truncated: false,
    output_truncated: false,
    attributes: {},
    pii_detected: false,
    pii_types: [],
    injection_attempt: false,
    sampled: false,
    prompt_sha256: '',
    source: 'native',
    ingested_at: chTime(startMs),
    ...overrides,
  }
}
