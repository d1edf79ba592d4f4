const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 4 })
const usd2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 })
const int = new Intl.NumberFormat('en-US')

export const money = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : Math.abs(v) >= 100 ? usd2.format(v) : usd.format(v)
export const count = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : int.format(v))
export const pct = (v: number): string => `${(v * 100).toFixed(v < 0.1 ? 2 : 1)} %`
export const ms = (v: number | null | undefined): string =>
  v === null || v === undefined
    ? '—'
    : v >= 1000
      ? `${(v / 1000).toFixed(v >= 100_000 ? 0 : 1)} s`
      : `${Math.round(v)} ms`
/** A window or cooldown in seconds, in the largest whole unit. */
export const seconds = (s: number): string =>
  s % 86_400 === 0 ? `${s / 86_400} d` : s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`
export const when = (iso: string): string =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' })
export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'

/** Midnight of the day `daysAgo` before today, in the browser's zone. */
export function startOfDay(daysAgo = 0): Date {
  const d = new Date()
  d.setHours(0, 0, 0, 0)
  d.setDate(d.getDate() - daysAgo)
  return d
}
