#!/usr/bin/env node
// Precision and recall per PII type of the built-in scanner on the fixture corpus
// (packages/core/test/fixtures/pii-corpus.jsonl: positives and near-misses, each line the types it
// holds). Counted per entry and type: found and expected = TP, found not expected = FP, expected not
// found = FN. Needs the packages built (`npm run build`). Usage: node scripts/pii-accuracy.mjs [corpus]
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadScanner } from '@tollgate/pipeline'

const corpusPath =
  process.argv[2] ?? fileURLToPath(new URL('../packages/core/test/fixtures/pii-corpus.jsonl', import.meta.url))
const entries = readFileSync(corpusPath, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l))
const scanner = loadScanner()
const stats = new Map()
const at = (type) => stats.get(type) ?? stats.set(type, { tp: 0, fp: 0, fn: 0 }).get(type)
const misses = []
for (const e of entries) {
  const found = new Set(scanner.findPii(e.text).map((f) => f.type))
  const expected = new Set(e.pii)
  for (const t of new Set([...found, ...expected])) {
    const s = at(t)
    if (found.has(t) && expected.has(t)) s.tp++
    else if (found.has(t)) {
      s.fp++
      misses.push(`FP ${t}: ${e.note}: ${e.text.slice(0, 90)}`)
    } else {
      s.fn++
      misses.push(`FN ${t}: ${e.note}: ${e.text.slice(0, 90)}`)
    }
  }
}
const pct = (n, d) => (d === 0 ? '   n/a' : `${((100 * n) / d).toFixed(1).padStart(5)}%`)
console.log(`corpus: ${entries.length} entries, scanner ${scanner.version}`)
console.log('| type | TP | FP | FN | precision | recall |')
console.log('|---|---:|---:|---:|---:|---:|')
let total = { tp: 0, fp: 0, fn: 0 }
for (const [t, s] of [...stats].sort()) {
  console.log(`| ${t} | ${s.tp} | ${s.fp} | ${s.fn} | ${pct(s.tp, s.tp + s.fp)} | ${pct(s.tp, s.tp + s.fn)} |`)
  total = { tp: total.tp + s.tp, fp: total.fp + s.fp, fn: total.fn + s.fn }
}
console.log(
  `| all | ${total.tp} | ${total.fp} | ${total.fn} | ${pct(total.tp, total.tp + total.fp)} | ${pct(total.tp, total.tp + total.fn)} |`,
)
if (misses.length > 0) console.log('\n' + misses.join('\n'))
