/**
 * Timestamps arrive as RFC 3339 strings or epoch numbers in s, ms, µs or ns. They are kept as
 * integer microseconds since the epoch (what DateTime64(6) stores).
 *
 * Nanosecond integers (~1.7e18) exceed 2^53; producers such as agentwatch compute them from a double
 * (`int(time.time()*1e9)`), so JSON.parse reproduces them exactly, and any other rounding stays below
 * the microsecond we store.
 */
export function toEpochMicros(value: unknown): number | null {
  if (typeof value === 'number') return fromEpochNumber(value)
  if (typeof value === 'bigint') return fromEpochNumber(Number(value))
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return null
  if (/^\d+(\.\d+)?$/.test(value)) return fromEpochNumber(Number(value))
  const iso = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value)
  if (!iso) return null
  const [, date = '', clock = '', frac = '', zone = 'Z'] = iso
  if (!validCalendar(date, clock)) return null
  const ms = Date.parse(`${date}T${clock}${zone.toUpperCase() === 'Z' ? 'Z' : normalizeZone(zone)}`)
  if (Number.isNaN(ms)) return null
  const micros = Number((frac + '000000').slice(0, 6))
  return ms * 1000 + micros
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

/** Date.parse rolls 2026-02-30 over to March and reads 24:00 as the next midnight: refuse both. */
function validCalendar(date: string, clock: string): boolean {
  const y = Number(date.slice(0, 4))
  const m = Number(date.slice(5, 7))
  const d = Number(date.slice(8, 10))
  if (m < 1 || m > 12 || d < 1) return false
  const days = m === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[m - 1] ?? 0)
  if (d > days) return false
  return Number(clock.slice(0, 2)) <= 23 && Number(clock.slice(3, 5)) <= 59 && Number(clock.slice(6, 8)) <= 60
}

function normalizeZone(zone: string): string {
  return zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`
}

function fromEpochNumber(n: number): number | null {
  if (!Number.isFinite(n) || n < 0) return null
  // Magnitude tells the unit: seconds < 1e11 (year 5138), ms < 1e14, µs < 1e17, else ns.
  if (n < 1e11) return Math.round(n * 1e6)
  if (n < 1e14) return Math.round(n * 1e3)
  if (n < 1e17) return Math.round(n)
  return Math.floor(n / 1e3)
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'))

/**
 * `2026-01-02 03:04:05.123456` — the text form ClickHouse DateTime64(6, 'UTC') takes and returns.
 * Civil date from day count with integer arithmetic (H. Hinnant's algorithm), no Date object: it runs
 * three times per span on the ingest path.
 */
export function microsToClickHouse(micros: number): string {
  const second = Math.floor(micros / 1_000_000)
  const frac = micros - second * 1_000_000
  const days = Math.floor(second / 86_400)
  let sod = second - days * 86_400
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  const hh = Math.floor(sod / 3600)
  sod -= hh * 3600
  const mm = Math.floor(sod / 60)
  const ss = sod - mm * 60
  const year = y >= 1000 && y <= 9999 ? String(y) : String(y).padStart(4, '0')
  const f = frac >= 100_000 ? String(frac) : String(frac).padStart(6, '0')
  return year + '-' + PAD2[m] + '-' + PAD2[d] + ' ' + PAD2[hh] + ':' + PAD2[mm] + ':' + PAD2[ss] + '.' + f
}

/** Inverse of {@link microsToClickHouse}. */
export function clickHouseToMicros(text: string): number {
  const [date = '', clock = ''] = text.split(' ')
  const [hms = '', frac = ''] = clock.split('.')
  return Date.parse(`${date}T${hms}Z`) * 1000 + Number((frac + '000000').slice(0, 6))
}

/** RFC 3339 with microseconds, UTC. */
export function microsToIso(micros: number): string {
  const base = new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)
  return `${base}.${String(micros % 1_000_000).padStart(6, '0')}Z`
}
