// Enrichment cost (issue 12): µs per span of the enrichment step for a typical 1 KB prompt and a 64 KB
// one, with the PII/injection scanners on vs off (off = cost + sampling only, what the pipeline did
// before), and the ingest verb's throughput (normalise → enrich → serialise) with enrichment on vs
// off, alternating rounds in the same run (shared machines are noisy: only same-run ratios mean
// anything). The transport only counts rows here, so the figures are the CPU of the verb, not of the
// write-ahead log. Prints figures; asserts nothing. Usage: npm run build && node bench/enrich.mjs
import { randomBytes } from 'node:crypto'
import { createPricer, DEFAULT_SPAN_LIMITS, normalizeSpan } from '@tollgate/core'
import { CpuGate, enrich, ingestSpans, loadScanner } from '@tollgate/pipeline'

const pricer = createPricer()
const scanner = loadScanner()
const OFF = { pricer, zeroDataRetention: false, sampleRate: 0.1 }
const ON = { ...OFF, scanner, piiPolicy: 'redact' }

const PROSE =
  'You are a support assistant for an online shop. Read the customer ticket below and answer in two ' +
  'sentences, citing the order number and the next step. The ticket: my parcel was due on Monday, the ' +
  'tracking page has not changed for four days and the courier hotline keeps me on hold. Order ORD-2024-' +
  '000123, paid by card, delivery to the office address on file. Please tell me whether to wait or ask ' +
  'for a refund, and whether a replacement can ship before the weekend. '
const prompt = (bytes) => (PROSE.repeat(Math.ceil(bytes / PROSE.length)) + '').slice(0, bytes)

function raw(input, i) {
  const now = Date.now()
  return {
    trace_id: randomBytes(16).toString('hex'),
    span_id: randomBytes(8).toString('hex'),
    name: 'openai.chat.completions',
    start_time: now - 500 - i,
    end_time: now - i,
    provider: 'openai',
    model: 'gpt-4o-mini',
    usage: { input_tokens: 300, output_tokens: 40 },
    input,
    output:
      'Your parcel is delayed; we have asked the courier for an update and will refund if it is not moving by Friday.',
    attributes: { 'http.route': '/v1/chat/completions', 'app.user_agent': 'bench/1.0' },
  }
}
const spansOf = (bytes, n) =>
  Array.from({ length: n }, (_, i) => {
    const r = normalizeSpan(raw(prompt(bytes), i), DEFAULT_SPAN_LIMITS)
    if (!r.ok) throw new Error(r.error)
    return r.span
  })

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function perSpanMicros(spans, opts) {
  const t = performance.now()
  for (const s of spans) enrich(s, 'bench', opts)
  return ((performance.now() - t) * 1000) / spans.length
}

console.log(
  `node ${process.version}, scanner ${scanner.version} (${scanner.patternCount} patterns, ${scanner.phraseCount} phrases)`,
)
console.log('\nenrichment per span (median of alternating rounds)')
console.log('| prompt | scanners off µs | scanners on µs | added µs |')
console.log('|---|---:|---:|---:|')
for (const [label, bytes, n, rounds] of [
  ['1 KB', 1024, 2000, 9],
  ['64 KB', 65536, 100, 9],
]) {
  const spans = spansOf(bytes, n)
  perSpanMicros(spans, ON) // warm-up
  perSpanMicros(spans, OFF)
  const off = []
  const on = []
  for (let r = 0; r < rounds; r++) {
    off.push(perSpanMicros(spans, OFF))
    on.push(perSpanMicros(spans, ON))
  }
  const [a, b] = [median(off), median(on)]
  console.log(`| ${label} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b - a).toFixed(1)} |`)
}

// The ingest verb end to end in process: batches of 100 raw spans with a 1 KB prompt.
async function verbRate(enrichOpts, batches) {
  let rows = 0
  const deps = {
    transport: {
      submit: (batch) => {
        rows += batch.rows.length
        return Promise.resolve({ stored: () => Promise.resolve() })
      },
    },
    enrich: enrichOpts,
    limits: { ...DEFAULT_SPAN_LIMITS, maxSpansPerRequest: 1000 },
    window: { retentionDays: 30, maxFutureSkewMs: 86_400_000 },
    gate: new CpuGate(),
    embeddings: { offer: () => undefined },
  }
  const t = performance.now()
  for (const items of batches) await ingestSpans(deps, { projectId: 'bench', items, normalize: normalizeSpan })
  return rows / ((performance.now() - t) / 1000)
}
const batches = Array.from({ length: 40 }, (_, b) =>
  Array.from({ length: 100 }, (_, i) => raw(prompt(1024), b * 100 + i)),
)
await verbRate(ON, batches.slice(0, 5))
const offRates = []
const onRates = []
for (let r = 0; r < 7; r++) {
  offRates.push(await verbRate(OFF, batches))
  onRates.push(await verbRate(ON, batches))
}
const [offRate, onRate] = [median(offRates), median(onRates)]
console.log('\ningest verb throughput, 1 KB prompts, batches of 100 (median of 7 alternating rounds)')
console.log(`enrichment off: ${Math.round(offRate)} spans/s`)
console.log(`enrichment on:  ${Math.round(onRate)} spans/s (${((100 * onRate) / offRate).toFixed(0)}% of off)`)
