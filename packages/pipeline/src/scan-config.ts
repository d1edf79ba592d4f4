import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  ValidationError,
  createScanner,
  mergePatternDocuments,
  parsePatternDocument,
  type PatternDocument,
  type Scanner,
} from '@tollgate/core'
import { checkSync } from 'recheck'

/** The versioned pattern files shipped with the repository (sources cited inside). */
const BUILTIN_DIR = fileURLToPath(new URL('../../../data/patterns/', import.meta.url))

export interface ScanConfigOptions {
  /** PATTERNS_FILE: extra named patterns (YAML or JSON), checked for catastrophic backtracking. */
  patternsFile?: string | undefined
  /** Milliseconds the ReDoS checker may spend per pattern before the pattern is refused as unproven. */
  checkTimeoutMs?: number
}

/**
 * Builds the scanner from data/patterns/{pii,injection}.yaml and PATTERNS_FILE. Throws ValidationError
 * naming the file and entry when a pattern is invalid, a name repeats, or a PATTERNS_FILE regex could
 * backtrack catastrophically (recheck: exponential or polynomial, or not proved safe in time): the
 * server then refuses to start. Built-in patterns are reviewed by hand instead (each quantifier bounded).
 */
export function loadScanner(options: ScanConfigOptions = {}): Scanner {
  const docs: Array<{ origin: string; doc: PatternDocument }> = []
  const versions: string[] = []
  for (const file of ['pii.yaml', 'injection.yaml']) {
    const doc = parsePatternDocument(readFileSync(BUILTIN_DIR + file, 'utf8'), `data/patterns/${file}`)
    docs.push({ origin: `data/patterns/${file}`, doc })
    versions.push(`${file.replace('.yaml', '')}@${String(doc.version ?? 0)}`)
  }
  if (options.patternsFile) {
    let text: string
    try {
      text = readFileSync(options.patternsFile, 'utf8')
    } catch (err) {
      throw new ValidationError('PATTERNS_FILE', `cannot read ${options.patternsFile}: ${(err as Error).message}`)
    }
    const doc = parsePatternDocument(text, 'PATTERNS_FILE')
    doc.patterns.forEach((p, i) => {
      if (p.validator && p.validator !== 'none')
        throw new ValidationError(`PATTERNS_FILE:patterns.${i}.validator`, 'validators are for built-in patterns only')
      assertNoCatastrophicBacktracking(p.regex, p.flags ?? '', `PATTERNS_FILE:patterns.${i} ("${p.name}")`, options)
    })
    docs.push({ origin: 'PATTERNS_FILE', doc })
    versions.push(`file@${createHash('sha256').update(text).digest('hex').slice(0, 12)}`)
  }
  return createScanner(mergePatternDocuments(docs), versions.join('+'))
}

function assertNoCatastrophicBacktracking(
  regex: string,
  flags: string,
  where: string,
  options: ScanConfigOptions,
): void {
  const diagnostics = checkSync(regex, flags, { timeout: options.checkTimeoutMs ?? 3000 })
  if (diagnostics.status === 'safe') return
  if (diagnostics.status === 'vulnerable') {
    throw new ValidationError(
      where,
      `regex could backtrack catastrophically (${diagnostics.complexity.type} time, e.g. on ${JSON.stringify(
        diagnostics.attack.pattern,
      )}); rewrite it without nested or overlapping repetition`,
    )
  }
  throw new ValidationError(where, `regex could not be proved free of catastrophic backtracking; simplify it`)
}
