import type { Schemas } from './api/client.js'

type CostRow = Schemas['CostResponse']['rows'][number]

/** One stacked series of a chart: a label and a value per x. */
export interface StackedSeries {
  label: string
  values: number[]
}

/** The start of a cost row's period (ms). */
export const periodStart = (r: CostRow): number => new Date(r.period_start ?? r.day ?? 0).getTime()

/** Cost rows of /api/cost/timeseries as chart series: up to `n` by total, the rest summed as "other". */
export function topSeries(
  rows: CostRow[],
  key: (r: CostRow) => string,
  n = 6,
): { x: number[]; series: StackedSeries[] } {
  const x = [...new Set(rows.map(periodStart))].sort((a, b) => a - b)
  const totals = new Map<string, number>()
  for (const r of rows) totals.set(key(r), (totals.get(key(r)) ?? 0) + r.cost_usd)
  const top = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k)
  const shown = top.slice(0, n)
  const series = new Map<string, number[]>(shown.map((k) => [k, x.map(() => 0)]))
  if (top.length > n)
    series.set(
      'other',
      x.map(() => 0),
    )
  for (const r of rows) {
    const s = series.get(shown.includes(key(r)) ? key(r) : 'other')
    const i = x.indexOf(periodStart(r))
    if (s && i >= 0) s[i] = (s[i] ?? 0) + r.cost_usd
  }
  return { x: x.map((t) => t / 1000), series: [...series.entries()].map(([label, values]) => ({ label, values })) }
}
