import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max'

// Checks that a regex candidate really is what its pattern names (sources in data/patterns/pii.yaml).
// The regexes find shapes; these remove the near-misses a shape cannot tell apart (a Luhn-invalid
// 16-digit order id, a date that looks like a phone number, an SSN in a range never issued).

export const VALIDATORS = ['none', 'email', 'credit_card', 'iban', 'us_ssn', 'phone', 'ipv4', 'ipv6'] as const
export type ValidatorName = (typeof VALIDATORS)[number]

export function luhnValid(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (d < 0 || d > 9) return false
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

/** Issuer prefixes and lengths of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro). */
function knownIssuer(d: string): boolean {
  const n = d.length
  const p2 = Number(d.slice(0, 2))
  const p3 = Number(d.slice(0, 3))
  const p4 = Number(d.slice(0, 4))
  const p6 = Number(d.slice(0, 6))
  if (d[0] === '4') return n === 13 || n === 16 || n === 19
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16
  if (p2 === 34 || p2 === 37) return n === 15
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) return n >= 16
  if (p4 >= 3528 && p4 <= 3589) return n >= 16
  if (p2 === 36 || p2 === 38 || p2 === 39 || (p3 >= 300 && p3 <= 305) || p3 === 309) return n >= 14
  if (p2 === 62) return n >= 16
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return n >= 12
  return false
}

export function creditCardValid(candidate: string): boolean {
  const d = candidate.replace(/[ -]/g, '')
  if (d.length < 13 || d.length > 19) return false
  // Separators, when present, must group consistently (4-4-4-4, 4-6-5): "1234-5678 9012-3456 7" is not a card.
  if (
    d.length !== candidate.length &&
    !/^(?:\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})$/.test(candidate)
  )
    return false
  if (/^(\d)\1+$/.test(d)) return false
  return knownIssuer(d) && luhnValid(d)
}

/** IBAN lengths per country (SWIFT IBAN Registry). */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
}

export function ibanValid(candidate: string): boolean {
  const s = candidate.replace(/ /g, '')
  if (IBAN_LENGTHS[s.slice(0, 2)] !== s.length) return false
  // ISO 7064 mod 97-10 over the rearranged string, letters as 10..35, computed piecewise.
  const r = s.slice(4) + s.slice(0, 4)
  let rem = 0
  for (let i = 0; i < r.length; i++) {
    const c = r.charCodeAt(i)
    const v = c >= 65 ? c - 55 : c - 48
    rem = v > 9 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97
  }
  return rem === 1
}

/** Numbers the SSA never issues, plus the two famously published ones (Woolworth wallet card, the 1962 ad). */
export function usSsnValid(candidate: string): boolean {
  const d = candidate.replace(/[- ]/g, '')
  const area = Number(d.slice(0, 3))
  const group = Number(d.slice(3, 5))
  const serial = Number(d.slice(5))
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return false
  return d !== '078051120' && d !== '219099999' && d !== '123456789'
}

/** National formats tried for numbers without a `+` (E.164 numbers need none). */
const NATIONAL: CountryCode[] = ['US', 'GB']

export function phoneValid(candidate: string): boolean {
  const s = candidate.trim()
  const digits = s.replace(/\D/g, '')
  if (digits.length < 7 || digits.length > 15) return false
  // Dates, times and version-like dotted groups are the usual near-misses.
  if (/\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?!\d)/.test(s)) return false
  // Phone numbers group digits in twos to fours (a country code or a trunk "1" aside): runs of single
  // digits ("1 2 3 4 5 6 7") are lists or scores, and skipping them before libphonenumber (~100 µs
  // a call) keeps a text made of them from costing a parse per candidate.
  if ((s.match(/(?<![0-9])[0-9](?![0-9])/g)?.length ?? 0) > 2) return false
  if (s.startsWith('+')) return parsePhoneNumberFromString(s)?.isValid() === true
  // A bare run of digits is far more often an id than a phone number: national numbers need grouping.
  if (!/[ ().-]/.test(s)) return false
  if (/^\d{1,3}(?:\.\d{1,3}){2,}$/.test(s)) return false
  for (const country of NATIONAL) {
    if (parsePhoneNumberFromString(s, country)?.isValid() === true) return true
  }
  return false
}

export function ipv4Valid(candidate: string): boolean {
  const parts = candidate.split('.')
  // 0.0.0.0 and the version-string look-alikes with tiny octets (1.2.3.4) are kept: they are addresses.
  return parts.length === 4 && parts.every((p) => p.length > 0 && Number(p) <= 255)
}

export function ipv6Valid(candidate: string): boolean {
  let s = candidate
  let groupsNeeded = 8
  const v4 = /(?:\d{1,3}\.){3}\d{1,3}$/.exec(s)
  if (v4) {
    if (!ipv4Valid(v4[0])) return false
    s = s.slice(0, v4.index) + '0:0'
    if (!s.includes(':')) return false
  }
  const halves = s.split('::')
  if (halves.length > 2) return false
  const groups = (h: string): string[] => (h === '' ? [] : h.split(':'))
  const head = groups(halves[0] ?? '')
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : []
  const all = [...head, ...tail]
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false
  if (halves.length === 1) return all.length === groupsNeeded
  // "::" alone or "::1"-like fragments are addresses only with something on either side worth keeping.
  groupsNeeded -= 1
  return all.length <= groupsNeeded && all.length >= 2
}

export function emailValid(candidate: string): boolean {
  const at = candidate.lastIndexOf('@')
  const local = candidate.slice(0, at)
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false
  return candidate.length - at - 1 <= 255
}

export const VALIDATE: Record<ValidatorName, (candidate: string) => boolean> = {
  none: () => true,
  email: emailValid,
  credit_card: creditCardValid,
  iban: ibanValid,
  us_ssn: usSsnValid,
  phone: phoneValid,
  ipv4: ipv4Valid,
  ipv6: ipv6Valid,
}
