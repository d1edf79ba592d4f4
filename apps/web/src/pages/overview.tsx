import { useMemo } from 'preact/hooks'
import { useQuery } from '@tanstack/preact-query'
import { api, unwrap, type Schemas } from '../api/client.js'
import { StackedBars } from '../components/chart.js'
import { Card, ErrorBox, FirstSpan, Loading } from '../components/feedback.js'
import { DataTable } from '../components/table.js'
import { periodStart, topSeries } from '../cost-series.js'
import { browserZone, count, ms, money, pct, startOfDay } from '../format.js'

type CostRow = Schemas['CostResponse']['rows'][number]

export function Overview({ session }: { session: Schemas['Session'] }) {
  const tz = browserZone()
  const from30 = useMemo(() => startOfDay(29).toISOString(), [])
  const range = { from: from30 }
  const daily = useQuery({
    queryKey: ['cost', 'daily', from30, tz],
    queryFn: () => unwrap(api.GET('/api/cost/daily', { params: { query: { ...range, tz, granularity: 'day' } } })),
  })
  const series = useQuery({
    queryKey: ['cost', 'timeseries', from30, tz],
    queryFn: () =>
      unwrap(
        api.GET('/api/cost/timeseries', { params: { query: { ...range, tz, granularity: 'day', group: 'model' } } }),
      ),
  })
  const metrics = useQuery({ queryKey: ['metrics', '24h'], queryFn: () => unwrap(api.GET('/api/metrics')) })
  const byAgent = useQuery({
    queryKey: ['cost', 'by-agent', from30],
    queryFn: () => unwrap(api.GET('/api/cost/by-agent', { params: { query: range } })),
  })
  const byModel = useQuery({
    queryKey: ['cost', 'by-model', from30],
    queryFn: () => unwrap(api.GET('/api/cost/by-model', { params: { query: range } })),
  })
  const byUser = useQuery({
    queryKey: ['cost', 'by-user', from30],
    queryFn: () => unwrap(api.GET('/api/cost/by-user', { params: { query: range } })),
  })

  const chart = useMemo(
    // Rows without a model are agent and tool spans: no spend to stack.
    () =>
      series.data
        ? topSeries(
            series.data.rows.filter((r) => r.model),
            (r) => r.model ?? '',
          )
        : null,
    [series.data],
  )

  const error = daily.error ?? metrics.error
  if (error) return <ErrorBox error={error} />
  if (!daily.data || !metrics.data) return <Loading />

  const spendSince = (t: Date) =>
    daily.data.rows.filter((r) => periodStart(r) >= t.getTime()).reduce((s, r) => s + r.cost_usd, 0)
  const calls30 = daily.data.rows.reduce((s, r) => s + r.calls, 0)
  if (calls30 === 0 && metrics.data.spans === 0) return <FirstSpan needsKey={!session.local_mode} />

  // Agent and tool spans have no model and no price by nature; only model calls without a price matter.
  const unknown = (byModel.data?.rows ?? []).filter((r) => r.model && r.unknown_cost_calls > 0)
  const unpriced = unknown.reduce((s, r) => s + r.unknown_cost_calls, 0)
  const m = metrics.data
  const top = (rows: CostRow[] | undefined, name: (r: CostRow) => string) =>
    (rows ?? [])
      .slice()
      .sort((a, b) => b.cost_usd - a.cost_usd)
      .slice(0, 5)
      .map((r) => ({ ...r, name: name(r) }))

  return (
    <>
      <h1>Overview</h1>
      <div class="kpis" role="list">
        <Kpi label="Spend today" value={money(spendSince(startOfDay(0)))} />
        <Kpi label="Spend 7 days" value={money(spendSince(startOfDay(6)))} />
        <Kpi label="Spend 30 days" value={money(daily.data.total_cost_usd)} />
        <Kpi label="Traces · spans (24 h)" value={`${count(m.traces)} · ${count(m.spans)}`} />
        <Kpi label="Error rate (24 h)" value={pct(m.error_rate)} warn={m.error_rate > 0.05} />
        <Kpi label="p95 latency (24 h)" value={ms(m.latency_ms.p95)} />
      </div>
      <div class="grid">
        <Card title="Cost per day by model (30 days)" wide>
          {chart && chart.x.length > 0 ? <StackedBars x={chart.x} series={chart.series} /> : <Loading />}
        </Card>
        {(
          [
            ['Top agents', byAgent.data?.rows, (r: CostRow) => r.agent_name || r.agent_id || '(no agent)'],
            ['Top models', byModel.data?.rows, (r: CostRow) => r.model || '(no model)'],
            ['Top users', byUser.data?.rows, (r: CostRow) => r.user_id || '(no user)'],
          ] as const
        ).map(([title, rows, name]) => (
          <Card key={title} title={`${title} by cost (30 days)`}>
            <DataTable
              label={title}
              rows={top(rows, name)}
              rowKey={(r) => r.name}
              columns={[
                { label: 'Name', cell: (r) => r.name },
                { label: 'Calls', cell: (r) => count(r.calls), numeric: true },
                { label: 'Cost', cell: (r) => money(r.cost_usd), numeric: true },
              ]}
            />
          </Card>
        ))}
      </div>
      {unknown.length > 0 ? (
        <Card title="Calls without a price" wide>
          <p class="warn-text">
            {count(unpriced)} model {unpriced === 1 ? 'call' : 'calls'} in 30 days had no known price and{' '}
            {unpriced === 1 ? 'counts' : 'count'} as $0:{' '}
            {unknown.map((r) => `${r.provider || '?'}/${r.model}`).join(', ')}. Add their prices to{' '}
            <code>PRICES_FILE</code>.
          </p>
        </Card>
      ) : null}
    </>
  )
}

function Kpi({ label, value, warn }: { label: string; value: string; warn?: boolean }) {
  return (
    <div class={warn ? 'kpi warn' : 'kpi'} role="listitem">
      <span class="muted">{label}</span>
      <strong>{value}</strong>
    </div>
  )
}
