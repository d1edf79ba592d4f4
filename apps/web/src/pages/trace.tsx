import { useMemo, useState } from 'preact/hooks'
import { useQuery } from '@tanstack/preact-query'
import { api, unwrap, type Schemas } from '../api/client.js'
import { AgentGraph } from '../components/graph.js'
import { Card, ErrorBox, Loading } from '../components/feedback.js'
import { count, ms, money, when } from '../format.js'
import { Link } from '../router.js'

type Span = Schemas['SpanView']

/** Every page of a trace's spans (1,000 a page), up to 10,000 for the view. */
async function allSpans(id: string): Promise<Span[]> {
  const spans: Span[] = []
  let cursor: string | undefined
  do {
    const page = await unwrap(
      api.GET('/api/traces/{id}/spans', {
        params: { path: { id }, query: { limit: 1000, cursor } },
      }),
    )
    spans.push(...page.spans)
    cursor = page.next_cursor ?? undefined
  } while (cursor && spans.length < 10_000)
  return spans
}

/** Depth-first by parent, siblings by start: the order a waterfall reads in. */
function treeOrder(spans: Span[]): Array<{ span: Span; depth: number }> {
  const ids = new Set(spans.map((s) => s.span_id))
  const children = new Map<string, Span[]>()
  const roots: Span[] = []
  for (const s of spans) {
    if (s.parent_span_id && ids.has(s.parent_span_id)) {
      const list = children.get(s.parent_span_id) ?? []
      list.push(s)
      children.set(s.parent_span_id, list)
    } else roots.push(s)
  }
  const byStart = (a: Span, b: Span) => a.start_time.localeCompare(b.start_time)
  const out: Array<{ span: Span; depth: number }> = []
  const visit = (s: Span, depth: number) => {
    out.push({ span: s, depth })
    for (const c of (children.get(s.span_id) ?? []).sort(byStart)) visit(c, depth + 1)
  }
  for (const r of roots.sort(byStart)) visit(r, 0)
  return out
}

export function Trace({ id }: { id: string }) {
  const spans = useQuery({ queryKey: ['trace', id, 'spans'], queryFn: () => allSpans(id) })
  const graph = useQuery({
    queryKey: ['trace', id, 'graph'],
    queryFn: () => unwrap(api.GET('/api/traces/{id}/graph', { params: { path: { id } } })),
  })
  // A server without the reports module (or a trace it cannot score) answers 404: the panel hides.
  const compliance = useQuery({
    queryKey: ['trace', id, 'compliance'],
    queryFn: async () => {
      const res = await api.GET('/api/traces/{id}/compliance-score', { params: { path: { id } } })
      return res.response.status === 404 ? null : unwrap(Promise.resolve(res))
    },
    retry: false,
  })
  const [selected, setSelected] = useState<string | null>(null)
  const rows = useMemo(() => (spans.data ? treeOrder(spans.data) : []), [spans.data])

  if (spans.error) return <ErrorBox error={spans.error} />
  if (!spans.data) return <Loading what="Loading trace" />

  const t0 = Math.min(...spans.data.map((s) => Date.parse(s.start_time)))
  const t1 = Math.max(...spans.data.map((s) => Date.parse(s.end_time)))
  const total = Math.max(1, t1 - t0)
  const cost = spans.data.reduce((s, x) => s + (x.cost?.total_usd ?? 0), 0)
  const span = spans.data.find((s) => s.span_id === selected) ?? rows[0]?.span
  const root = rows[0]?.span

  return (
    <>
      <p>
        <Link href="/traces">← Traces</Link>
      </p>
      <h1>
        {root?.name ?? 'Trace'} <small class="muted mono">{id}</small>
      </h1>
      <p class="muted">
        {when(new Date(t0).toISOString())} · {count(spans.data.length)} spans · {ms(total)} · {money(cost)}
      </p>
      <div class="grid trace-grid">
        <Card title="Timeline" wide>
          <div class="waterfall" role="list" aria-label="Span timeline">
            {rows.map(({ span: s, depth }) => {
              const left = ((Date.parse(s.start_time) - t0) / total) * 100
              const width = Math.max(0.4, (s.duration_ms / total) * 100)
              return (
                <button
                  type="button"
                  role="listitem"
                  key={s.span_id}
                  class={`wf-row${s.span_id === span?.span_id ? ' selected' : ''}`}
                  onClick={() => setSelected(s.span_id)}
                  aria-label={`${s.name}, ${ms(s.duration_ms)}`}
                >
                  <span class="wf-name" style={{ paddingLeft: `${depth * 14}px` }}>
                    {s.name}
                    {s.pii_detected ? (
                      <span class="flag pii" title="PII detected">
                        PII
                      </span>
                    ) : null}
                    {s.injection_attempt ? (
                      <span class="flag inj" title="prompt injection">
                        INJ
                      </span>
                    ) : null}
                  </span>
                  <span class="wf-track">
                    <span class={`wf-bar ${s.status} ${s.kind}`} style={{ left: `${left}%`, width: `${width}%` }} />
                  </span>
                  <span class="wf-dur num">{ms(s.duration_ms)}</span>
                </button>
              )
            })}
          </div>
        </Card>
        {span ? <SpanDetails span={span} /> : null}
        <Card title="Agent graph">
          {graph.error ? (
            <ErrorBox error={graph.error} />
          ) : graph.data ? (
            <AgentGraph graph={graph.data} />
          ) : (
            <Loading />
          )}
        </Card>
        {compliance.data ? (
          <Card title="Compliance (EU AI Act Art. 12 record keeping)">
            <p class="score">
              <strong>{compliance.data.score}</strong>
              <span class="muted"> / 100</span>
            </p>
            <ul class="checks">
              {compliance.data.checks.map((c) => (
                <li key={c.id} class={c.passed ? 'pass' : 'fail'}>
                  <span aria-hidden="true">{c.passed ? '✓' : '✗'}</span> {c.title}{' '}
                  <small class="muted">
                    ({c.weight} pts) {c.detail}
                  </small>
                </li>
              ))}
            </ul>
            <a class="button" href={`/api/traces/${encodeURIComponent(id)}/compliance-report`} download>
              Download signed report
            </a>
          </Card>
        ) : null}
      </div>
    </>
  )
}

function SpanDetails({ span: s }: { span: Span }) {
  const redacted = (text: string | null) => (text ? /\[REDACTED[^\]]*\]|<redacted>|█/i.test(text) : false)
  return (
    <Card title="Span" class="span-card">
      <dl class="details">
        <dt>Name</dt>
        <dd>{s.name}</dd>
        <dt>Status</dt>
        <dd>
          <span class={`badge ${s.status}`}>{s.status}</span>{' '}
          {s.error_message ? <span class="error-text">{s.error_message}</span> : null}
        </dd>
        <dt>Model</dt>
        <dd>{[s.provider, s.response_model ?? s.model].filter(Boolean).join(' / ') || '—'}</dd>
        <dt>Agent</dt>
        <dd>{s.agent ? `${s.agent.name} (${s.agent.id})` : '—'}</dd>
        <dt>Tokens</dt>
        <dd>
          {count(s.usage.input_tokens)} in · {count(s.usage.output_tokens)} out
          {s.usage.cache_read_tokens ? ` · ${count(s.usage.cache_read_tokens)} cached` : ''}
        </dd>
        <dt>Cost</dt>
        <dd>
          {s.cost ? money(s.cost.total_usd) : '—'} <small class="muted">{s.cost_status}</small>
        </dd>
        <dt>Duration</dt>
        <dd>
          {ms(s.duration_ms)}
          {s.ttft_ms !== null ? ` · first token ${ms(s.ttft_ms)}` : ''}
        </dd>
        <dt>PII</dt>
        <dd>{s.pii_detected ? <span class="flag pii">{s.pii_types.join(', ') || 'detected'}</span> : 'none found'}</dd>
        <dt>Injection</dt>
        <dd>{s.injection_attempt ? <span class="flag inj">attempt flagged</span> : 'none flagged'}</dd>
        {s.user_id ? (
          <>
            <dt>User</dt>
            <dd>{s.user_id}</dd>
          </>
        ) : null}
        {Object.keys(s.tags).length > 0 ? (
          <>
            <dt>Tags</dt>
            <dd>
              {Object.entries(s.tags).map(([k, v]) => (
                <span key={k} class="tag">
                  {k}={v}
                </span>
              ))}
            </dd>
          </>
        ) : null}
      </dl>
      {(['input', 'output'] as const).map((field) => (
        <div key={field}>
          <h3>
            {field}
            {redacted(s[field]) ? <span class="flag pii">redacted</span> : null}
            {s[`${field}_truncated`] ? <span class="flag">truncated</span> : null}
          </h3>
          <pre class="io">{s[field] ?? (s.sampled ? '(not recorded)' : '(not sampled)')}</pre>
        </div>
      ))}
    </Card>
  )
}
