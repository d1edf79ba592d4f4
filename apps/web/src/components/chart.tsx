import { useEffect, useRef } from 'preact/hooks'
import type uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { StackedSeries } from '../cost-series.js'
import { money } from '../format.js'

/** Colour-blind-friendly palette, readable on both themes. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
]

/**
 * Cost over time as stacked bars. uPlot draws series in order, so each series is drawn as the sum of
 * itself and every series after it (the tallest first); the legend shows each series' own value.
 */
export function StackedBars({ x, series, height = 260 }: { x: number[]; series: StackedSeries[]; height?: number }) {
  const el = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const host = el.current
    if (!host) return
    let cleanup: (() => void) | undefined
    let cancelled = false
    // uPlot is a third of the bundle and only charts need it: loaded on first use, in its own chunk.
    void import('uplot').then(({ default: UPlot }) => {
      if (!cancelled) cleanup = draw(UPlot, host, { x, series, height })
    })
    return () => {
      cancelled = true
      cleanup?.()
    }
  }, [x, series, height])
  return <div ref={el} class="chart" role="img" aria-label="cost over time, stacked by series" />
}

/** Draws into `host`; returns what removes the chart. */
function draw(
  UPlot: typeof uPlot,
  host: HTMLDivElement,
  { x, series, height }: { x: number[]; series: StackedSeries[]; height: number },
): () => void {
  const stacked = series.map((_, i) =>
    x.map((__, j) => series.slice(i).reduce((sum, s) => sum + (s.values[j] ?? 0), 0)),
  )
  const dark = matchMedia('(prefers-color-scheme: dark)').matches
  const axis = { stroke: dark ? '#a1a1aa' : '#52525b', grid: { stroke: dark ? '#27272a' : '#e4e4e7', width: 1 } }
  const bars = UPlot.paths.bars?.({ size: [0.7, 48], align: 0 })
  const step = x.length > 1 ? Math.min(...x.slice(1).map((v, i) => v - (x[i] ?? 0))) : 86_400
  const opts: uPlot.Options = {
    width: host.clientWidth || 800,
    height,
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.label,
        fill: PALETTE[i % PALETTE.length],
        stroke: PALETTE[i % PALETTE.length],
        width: 0,
        paths: bars,
        points: { show: false },
        value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) =>
          idx === null ? '' : money(s.values[idx] ?? 0),
      })),
    ],
    axes: [
      {
        ...axis,
        // One label per bar (thinned past 15): the bars are periods, not instants.
        splits: () => x.filter((_, i) => i % Math.ceil(x.length / 15) === 0),
        values: (_u, ticks) =>
          ticks.map((t) => new Date(t * 1000).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })),
      },
      { ...axis, size: 70, values: (_u, ticks) => ticks.map((t) => money(t)) },
    ],
    scales: {
      x: { time: true, range: (_u, min, max) => [min - step / 2, max + step / 2] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    legend: { live: false },
    cursor: { points: { show: false } },
  }
  const plot = new UPlot(opts, [x, ...stacked], host)
  const resize = new ResizeObserver(() => plot.setSize({ width: host.clientWidth, height }))
  resize.observe(host)
  return () => {
    resize.disconnect()
    plot.destroy()
  }
}
