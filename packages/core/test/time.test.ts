import { describe, expect, it } from 'vitest'
import { clickHouseToMicros, microsToClickHouse, microsToIso, toEpochMicros } from '@tollgate/core'

/** 2026-01-01T00:00:00Z in µs. */
const BASE = 1_767_225_600_000_000

describe('toEpochMicros', () => {
  describe('RFC 3339 strings', () => {
    it.each([
      ['2026-01-01T00:00:00Z', BASE],
      ['2026-01-01T00:00:00.5Z', BASE + 500_000],
      ['2026-01-01T00:00:00.123Z', BASE + 123_000],
      ['2026-01-01T00:00:00.123456Z', BASE + 123_456],
      ['2026-01-01T00:00:00.000001Z', BASE + 1],
      ['2026-01-01T00:00:00.123456789Z', BASE + 123_456], // below the µs we store: cut, not rounded
      ['2026-01-01T00:00:00.999999999Z', BASE + 999_999],
      ['2026-01-01T01:00:00+01:00', BASE],
      ['2025-12-31T19:00:00-05:00', BASE],
      ['2026-01-01T05:30:00.25+05:30', BASE + 250_000],
      ['2026-01-01T05:30:00.25+0530', BASE + 250_000],
      ['2026-01-01T00:00:00-00:00', BASE],
      ['2026-01-01T00:00:00+00:00', BASE],
      ['2026-01-01t00:00:00z', BASE],
      ['2024-02-29T12:00:00Z', 1_709_208_000_000_000],
      // ClickHouse's own text form, read back as UTC.
      ['2026-01-01 00:00:00', BASE],
      ['2026-01-01 00:00:00.000001', BASE + 1],
    ])('%s → %i', (input, expected) => {
      expect(toEpochMicros(input)).toBe(expected)
    })
  })

  describe('epoch numbers (unit told by magnitude)', () => {
    it.each<[string, number | bigint, number]>([
      ['seconds', 1_767_225_600, BASE],
      ['fractional seconds', 1_767_225_600.25, BASE + 250_000],
      ['milliseconds', 1_767_225_600_123, BASE + 123_000],
      ['fractional milliseconds', 1_767_225_600_123.5, BASE + 123_500],
      ['microseconds', 1_767_225_600_123_456, BASE + 123_456],
      // agentwatch's int(time.time()*1e9): above 2^53, as JSON.parse reads it.
      ['nanoseconds (double)', 1_767_225_600_123_456_768, BASE + 123_456],
      ['nanoseconds (bigint)', 1_767_225_600_123_456_789n, BASE + 123_456],
      ['zero', 0, 0],
    ])('%s: %s', (_unit, input, expected) => {
      expect(toEpochMicros(input)).toBe(expected)
    })

    it.each([
      ['1767225600', BASE],
      ['1767225600.5', BASE + 500_000],
      ['1767225600123', BASE + 123_000],
      ['1767225600123456', BASE + 123_456],
      ['1767225600123456789', BASE + 123_456],
    ])('numeric string %s', (input, expected) => {
      expect(toEpochMicros(input)).toBe(expected)
    })
  })

  describe('bad input → null', () => {
    it.each<[string, unknown]>([
      ['empty string', ''],
      ['words', 'yesterday'],
      ['a date without a time', '2026-01-01'],
      ['a time without a date', '12:00:00Z'],
      ['month 13', '2026-13-01T00:00:00Z'],
      ['day 32', '2026-01-32T00:00:00Z'],
      ['an offset beyond ±24 h', '2026-01-01T00:00:00+25:00'],
      ['a fraction without digits', '2026-01-01T00:00:00.Z'],
      ['a fraction of ten digits', '2026-01-01T00:00:00.1234567890Z'],
      ['a negative number', -1],
      ['a negative epoch ms', -1_767_225_600_000],
      ['a negative numeric string', '-5'],
      ['exponent notation', '1.7e12'],
      ['a padded numeric string', ' 1767225600'],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['a string over 64 characters', `2026-01-01T00:00:00.${'1'.repeat(50)}Z`],
      ['null', null],
      ['undefined', undefined],
      ['an object', { seconds: 1 }],
      ['an array', [1_767_225_600]],
      ['a boolean', true],
      // Date.parse rolls these over into the next month; a timestamp that names no real day is bad input.
      ['30 February (no such day)', '2026-02-30T00:00:00Z'],
      ['31 April (no such day)', '2026-04-31T10:00:00Z'],
      ['29 February in a common year', '2026-02-29T00:00:00Z'],
    ])('%s', (_name, input) => {
      expect(toEpochMicros(input)).toBeNull()
    })
  })
})

describe('microsToClickHouse / clickHouseToMicros / microsToIso', () => {
  it.each([
    [0, '1970-01-01 00:00:00.000000', '1970-01-01T00:00:00.000000Z'],
    [1, '1970-01-01 00:00:00.000001', '1970-01-01T00:00:00.000001Z'],
    [BASE, '2026-01-01 00:00:00.000000', '2026-01-01T00:00:00.000000Z'],
    [BASE + 1, '2026-01-01 00:00:00.000001', '2026-01-01T00:00:00.000001Z'],
    [BASE + 123_456, '2026-01-01 00:00:00.123456', '2026-01-01T00:00:00.123456Z'],
    [BASE - 1, '2025-12-31 23:59:59.999999', '2025-12-31T23:59:59.999999Z'],
    [1_709_210_096_789_012, '2024-02-29 12:34:56.789012', '2024-02-29T12:34:56.789012Z'],
    [4_102_444_799_999_999, '2099-12-31 23:59:59.999999', '2099-12-31T23:59:59.999999Z'],
  ])('%i ↔ %s', (micros, text, rfc3339) => {
    expect(microsToClickHouse(micros)).toBe(text)
    expect(clickHouseToMicros(text)).toBe(micros)
    expect(microsToIso(micros)).toBe(rfc3339)
    // What the API prints parses back to the same instant.
    expect(toEpochMicros(rfc3339)).toBe(micros)
    expect(toEpochMicros(text)).toBe(micros)
  })

  it('formats like Date#toISOString for every instant the column holds (1900–2299, sampled)', () => {
    const viaDate = (micros: number): string => {
      const ms = Math.floor(micros / 1000)
      const iso = new Date(ms).toISOString()
      return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0')}`
    }
    const from = Date.UTC(1900, 0, 1) * 1000
    const to = Date.UTC(2299, 11, 31, 23, 59, 59) * 1000
    let x = 42
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31
      const micros = from + Math.floor((x / 2 ** 31) * (to - from))
      expect(microsToClickHouse(micros)).toBe(viaDate(micros))
    }
    // Leap days and year ends.
    for (const iso of [
      '2000-02-29T23:59:59.999Z',
      '1900-03-01T00:00:00Z',
      '2100-02-28T12:00:00Z',
      '2299-12-31T23:59:59Z',
    ]) {
      const micros = Date.parse(iso) * 1000
      expect(microsToClickHouse(micros)).toBe(viaDate(micros))
    }
  })

  it('reads ClickHouse text without a fraction', () => {
    expect(clickHouseToMicros('2026-01-01 00:00:00')).toBe(BASE)
  })
})
