import { PhraseMatcher } from './aho-corasick.js'
import type { PatternDocument } from './patterns.js'
import { VALIDATE } from './validators.js'

/** A PII match: `type` is what `pii_types` and `[REDACTED:TYPE]` say, `pattern` the entry that found it. */
export interface PiiFinding {
  type: string
  pattern: string
  start: number
  end: number
}

/** An injection match: a phrase of the list, or the name of an INJECTION pattern. */
export interface InjectionFinding {
  pattern: string
  match: string
}

export interface Scanner {
  /** The patterns' version (built-in file version and a digest of PATTERNS_FILE), for /api/scan. */
  readonly version: string
  readonly patternCount: number
  readonly phraseCount: number
  /** Non-overlapping PII findings in text order; on overlap the pattern listed first wins. */
  findPii(text: string): PiiFinding[]
  /** `first`: stop at the first hit (the pipeline only needs the flag). */
  findInjection(text: string, options?: { first?: boolean }): InjectionFinding[]
}

interface Compiled {
  name: string
  prefilter: string[] | undefined
  piiType: string
  re: RegExp
  validate: (candidate: string) => boolean
}

/**
 * Compiles a pattern document once; the scanner is then pure and reusable across spans. PII
 * patterns run in the document's order (the built-in file lists secrets before the shapes they
 * contain, and card/SSN/IP before phone, so an overlap is named by the more specific pattern).
 */
export function createScanner(doc: PatternDocument, version: string): Scanner {
  const pii: Compiled[] = []
  const injection: Compiled[] = []
  for (const p of doc.patterns) {
    const compiled: Compiled = {
      name: p.name,
      prefilter: p.prefilter === undefined ? undefined : [p.prefilter].flat().map((l) => l.toLowerCase()),
      piiType: p.pii_type ?? p.name.toUpperCase().replace(/[^A-Z0-9_]/g, '_'),
      re: new RegExp(p.regex, `g${p.flags ?? ''}`),
      validate: VALIDATE[p.validator ?? 'none'],
    }
    ;(p.type === 'PII' ? pii : injection).push(compiled)
  }
  const phrases = [...new Set(doc.phrases.map(normalizePhrase))]
  const automaton = phrases.length > 0 ? new PhraseMatcher(phrases) : null
  // The lower-cased text, shared by the prefilters and the phrase scan of the same text (one entry:
  // the pipeline scans a span's texts one after the other).
  let lastText = ''
  let lastLower = ''
  const lower = (text: string): string => {
    if (text !== lastText) {
      lastText = text
      lastLower = text.toLowerCase()
    }
    return lastLower
  }
  // Every prefilter literal looked up in one pass (the same automaton as the phrases), once per text.
  const literals = [...new Set([...pii, ...injection].flatMap((c) => c.prefilter ?? []))]
  const literalMatcher = new PhraseMatcher(literals)
  let presentFor: string | null = null
  let present = new Set<string>()
  const skip = (c: Compiled, text: string): boolean => {
    if (c.prefilter === undefined) return false
    if (presentFor !== text) {
      presentFor = text
      present = new Set(literalMatcher.find(lower(text)).map((i) => literals[i] ?? ''))
    }
    return !c.prefilter.some((l) => present.has(l))
  }

  return {
    version,
    patternCount: doc.patterns.length,
    phraseCount: phrases.length,
    findPii(text) {
      if (text.length === 0) return []
      const found: PiiFinding[] = []
      for (const c of pii) {
        if (skip(c, text)) continue
        c.re.lastIndex = 0
        for (let m = c.re.exec(text); m !== null; m = c.re.exec(text)) {
          if (m[0].length === 0) {
            c.re.lastIndex++
            continue
          }
          const start = m.index
          const end = start + m[0].length
          if (!c.validate(m[0])) continue
          if (found.some((f) => f.start < end && start < f.end)) continue
          found.push({ type: c.piiType, pattern: c.name, start, end })
        }
      }
      return found.sort((a, b) => a.start - b.start)
    },
    findInjection(text, options = {}) {
      if (text.length === 0) return []
      const out: InjectionFinding[] = []
      if (automaton) {
        const hits = automaton.find(lower(text), options.first)
        for (const i of hits) out.push({ pattern: 'phrase', match: phrases[i] ?? '' })
        if (options.first && out.length > 0) return out
      }
      for (const c of injection) {
        if (skip(c, text)) continue
        c.re.lastIndex = 0
        const m = c.re.exec(text)
        if (m) {
          out.push({ pattern: c.name, match: m[0] })
          if (options.first) return out
        }
      }
      return out
    },
  }
}

/** Lower case, whitespace runs as one space (the matcher folds the text's whitespace the same way). */
function normalizePhrase(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ')
}

/** `text` with every finding replaced by `[REDACTED:TYPE]`. Findings must not overlap (findPii's never do). */
export function redact(text: string, findings: readonly PiiFinding[]): string {
  if (findings.length === 0) return text
  let out = ''
  let at = 0
  for (const f of findings) {
    out += text.slice(at, f.start) + `[REDACTED:${f.type}]`
    at = f.end
  }
  return out + text.slice(at)
}
