import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { ValidationError } from '../errors.js'
import { VALIDATORS } from './validators.js'

/**
 * One named pattern. PATTERNS_FILE entries need `name`, `regex` and `type`; the built-in file
 * (data/patterns/pii.yaml) also names what a match redacts as and the validator a candidate must pass.
 */
export const PatternDef = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (at most 64)'),
  type: z.enum(['PII', 'INJECTION']),
  regex: z.string().min(1).max(4096),
  /** Extra flags besides `g`: case-insensitive, multi-line, dot-all, unicode. */
  flags: z
    .string()
    .regex(/^[imsu]{0,4}$/, 'only i, m, s, u')
    .optional(),
  /** What `pii_types` and `[REDACTED:TYPE]` say; default: the name in upper case. */
  pii_type: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,63}$/)
    .optional(),
  validator: z.enum(VALIDATORS).optional(),
  /** Literals of which every match contains one: the regex runs only on texts that contain one (speed). */
  prefilter: z.union([z.string().min(1).max(64), z.array(z.string().min(1).max(64)).min(1).max(16)]).optional(),
  source: z.string().optional(),
  description: z.string().optional(),
})
export type PatternDef = z.infer<typeof PatternDef>

export const PatternDocument = z.object({
  version: z.union([z.number(), z.string()]).optional(),
  sources: z.array(z.unknown()).optional(),
  patterns: z.array(PatternDef).default([]),
  /** Injection phrases (matched case-insensitively by one Aho-Corasick automaton). */
  phrases: z.array(z.string().min(3).max(256)).default([]),
})
export type PatternDocument = z.infer<typeof PatternDocument>

/**
 * Parses a patterns document (YAML or JSON: JSON is YAML) and checks what can be checked without
 * running anything: the shape, every regex compiles, no duplicate name. `origin` names the file in
 * errors. Throws ValidationError with the entry at fault; the catastrophic-backtracking check is the
 * loader's (packages/pipeline/src/scan-config.ts), as it runs a checker process.
 */
export function parsePatternDocument(text: string, origin: string): PatternDocument {
  let raw: unknown
  try {
    raw = parseYaml(text)
  } catch (err) {
    throw new ValidationError(origin, `not YAML or JSON: ${(err as Error).message.split('\n')[0] ?? ''}`)
  }
  // A bare list is accepted as the list of patterns.
  const parsed = PatternDocument.safeParse(Array.isArray(raw) ? { patterns: raw } : raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ValidationError(`${origin}:${issue?.path.join('.') ?? ''}`, issue?.message ?? 'invalid')
  }
  const doc = parsed.data
  const seen = new Set<string>()
  doc.patterns.forEach((p, i) => {
    if (seen.has(p.name))
      throw new ValidationError(`${origin}:patterns.${i}.name`, `duplicate pattern name "${p.name}"`)
    seen.add(p.name)
    try {
      new RegExp(p.regex, `g${p.flags ?? ''}`)
    } catch (err) {
      throw new ValidationError(`${origin}:patterns.${i}.regex`, `invalid regex "${p.name}": ${(err as Error).message}`)
    }
  })
  return doc
}

/** Patterns of several documents as one list; a name used twice across them is refused. */
export function mergePatternDocuments(docs: Array<{ origin: string; doc: PatternDocument }>): PatternDocument {
  const names = new Map<string, string>()
  const out: PatternDocument = { patterns: [], phrases: [] }
  for (const { origin, doc } of docs) {
    for (const p of doc.patterns) {
      const first = names.get(p.name)
      if (first)
        throw new ValidationError(`${origin}:${p.name}`, `duplicate pattern name "${p.name}" (also in ${first})`)
      names.set(p.name, origin)
      out.patterns.push(p)
    }
    out.phrases.push(...doc.phrases)
  }
  return out
}
