import { useMemo } from 'preact/hooks'
import { useQuery } from '@tanstack/preact-query'
import { api, unwrap, type Schemas } from '../api/client.js'
import { StackedBars } from '../components/chart.js'
import { Card, ErrorBox, Loading } from '../components/feedback.js'
import { topSeries } from '../cost-series.js'
import { DataTable } from '../components/table.js'
import { browserZone, count, money, startOfDay } from '../format.js'
import { navigate, useLocation } from '../router.js'

type CostRow = Schemas['CostResponse']['rows'][number]
const GROUPS = ['day', 'model', 'agent', 'user', 'tag'] as const
type Group = (typeof GROUPS)[number]

const isoDate = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
/** A date input's day as the instant it starts in the browser's zone. */
const dayStart = (day: string) => new Date(`${day}T00:00:00`).toISOString()

function fetchCost(group: Group, query: { from: string; to: string; tz: string; key: string }) {
  const range = { from: query.from, to: query.to }
  switch (group) {
    case 'day':
      return unwrap(api.GET('/api/cost/daily', { params: { query: { ...range, tz: query.tz, granularity: 'day' } } }))
    case 'model':
      return unwrap(api.GET('/api/cost/by-model', { params: { query: range } }))
    case 'agent':
      return unwrap(api.GET('/api/cost/by-agent', { params: { query: range } }))
    case 'user':
      return unwrap(api.GET('/api/cost/by-user', { params: { query: range } }))
    case 'tag':
      return unwrap(api.GET('/api/cost/by-tag', { params: { query: { ...range, key: query.key } } }))
  }
}

const label: Record<Group, (r: CostRow) => string> = {
  day: (r) => (r.period_start ?? r.day ?? '').slice(0, 10),
  model: (r) => (r.model ? `${r.provider || '?'} / ${r.model}` : '(no model: agent and tool spans)'),
  agent: (r) => r.agent_name || r.agent_id || '(no agent)',
  user: (r) => r.user_id || '(no user)',
  tag: (r) => r.tag_value || '(untagged)',
}

/** Breakdowns by day, model, agent, user or tag over a date range, periods cut in a chosen zone. */
export function Cost() {
  const { search } = useLocation()
  const group = (GROUPS as readonly string[]).includes(search.get('group') ?? '')
    ? (search.get('group') as Group)
    : 'day'
  const fromDay = search.get('from') ?? isoDate(startOfDay(29))
  const toDay = search.get('to') ?? isoDate(startOfDay(0))
  const tz = search.get('tz') ?? browserZone()
  const key = search.get('key') ?? ''
  const to = new Date(new Date(`${toDay}T00:00:00`).getTime() + 86_400_000).toISOString()
  const enabled = group !== 'tag' || key !== ''
  const cost = useQuery({
    queryKey: ['cost-page', group, fromDay, toDay, tz, key],
    queryFn: () => fetchCost(group, { from: dayStart(fromDay), to, tz, key }),
    enabled,
  })
  const series = useQuery({
    queryKey: ['cost-page', 'timeseries', fromDay, toDay, tz],
    queryFn: () =>
      unwrap(
        api.GET('/api/cost/timeseries', {
          params: { query: { from: dayStart(fromDay), to, tz, granularity: 'day', group: 'model' } },
        }),
      ),
    enabled: group === 'day',
  })
  // Rows without a model are agent and tool spans: no spend to stack.
  const chart = useMemo(
    () =>
      series.data
        ? topSeries(
            series.data.rows.filter((r) => r.model),
            (r) => r.model ?? '',
          )
        : null,
    [series.data],
  )
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(search)
    for (const [k, v] of Object.entries(changes)) next.set(k, v)
    navigate(`/cost?${next.toString()}`, { replace: true })
  }
  const zones = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? ['UTC', tz]

  return (
    <>
      <h1>Cost</h1>
      <form class="filters" aria-label="Cost range" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>Group by</span>
          <select value={group} onChange={(e) => set({ group: e.currentTarget.value })}>
            {GROUPS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        {group === 'tag' ? (
          <label>
            <span>Tag key</span>
            <input
              value={key}
              placeholder="e.g. feature"
              onChange={(e) => set({ key: e.currentTarget.value.trim() })}
            />
          </label>
        ) : null}
        <label>
          <span>From</span>
          <input type="date" value={fromDay} onChange={(e) => set({ from: e.currentTarget.value })} />
        </label>
        <label>
          <span>To (inclusive)</span>
          <input type="date" value={toDay} onChange={(e) => set({ to: e.currentTarget.value })} />
        </label>
        <label>
          <span>Time zone</span>
          <select value={tz} onChange={(e) => set({ tz: e.currentTarget.value })}>
            {[...new Set(['UTC', tz, ...zones])].map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </label>
      </form>
      {!enabled ? <p class="muted">Enter a tag key.</p> : null}
      {cost.error ? <ErrorBox error={cost.error} /> : null}
      {enabled && !cost.data && !cost.error ? <Loading /> : null}
      {group === 'day' && chart && chart.x.length > 0 ? (
        <Card title="Cost per day by model" wide>
          <StackedBars x={chart.x} series={chart.series} />
        </Card>
      ) : null}
      {cost.data ? (
        <Card title={`Cost by ${group} · total ${money(cost.data.total_cost_usd)}`} wide>
          <DataTable
            label={`Cost by ${group}`}
            rows={cost.data.rows}
            rowKey={(r) => label[group](r) + (r.agent_id ?? '') + (r.model ?? '')}
            empty="No spend in this range."
            columns={[
              { label: group[0]?.toUpperCase() + group.slice(1), cell: label[group] },
              { label: 'Calls', cell: (r) => count(r.calls), numeric: true },
              { label: 'Input tokens', cell: (r) => count(r.input_tokens), numeric: true },
              { label: 'Cached', cell: (r) => count(r.cache_read_tokens), numeric: true },
              { label: 'Output tokens', cell: (r) => count(r.output_tokens), numeric: true },
              {
                // The API counts model calls without a price only (agent, tool and chain spans never), so
                // every such call, in whichever grouping, is spend counted as $0 and worth a warning.
                label: 'Unpriced calls',
                cell: (r) =>
                  r.unknown_cost_calls > 0 ? (
                    <span class="warn-text">{count(r.unknown_cost_calls)}</span>
                  ) : (
                    count(r.unknown_cost_calls)
                  ),
                numeric: true,
              },
              { label: 'Cost', cell: (r) => money(r.cost_usd), numeric: true },
            ]}
          />
        </Card>
      ) : null}
    </>
  )
}
