// Runs in its own process (chDB binds one data directory per process). Two jobs, chosen by argv:
//   raw <dataDir> <spans.json>    the baseline: the same spans, as rows, inserted into the same `spans`
//                                 table through @clickhouse/client, JSONEachRow, 6,400-row inserts, one in flight
//   count <dataDir>               rows and distinct span keys stored by a Tollgate run
// Prints one JSON line.
import { readFileSync } from 'node:fs'
import { createPricer, normalizeSpan } from '@tollgate/core'
import { enrichSpan } from '@tollgate/pipeline'
import { connectClickHouse, migrateClickHouse, toSpanRow } from '@tollgate/store'

const [job, dataDir, file] = process.argv.slice(2)
const ch = await connectClickHouse({ database: 'tollgate', dataDir })
try {
  if (job === 'raw') {
    await migrateClickHouse(ch)
    const pricer = createPricer()
    const limits = { maxTextBytes: 256 * 1024, maxAttributes: 128 }
    const spans = JSON.parse(readFileSync(file, 'utf8'))
    const rows = spans.map((raw) => {
      const r = normalizeSpan(raw, limits)
      if (!r.ok) throw new Error(r.error)
      return toSpanRow(enrichSpan(r.span, 'default', { pricer, zeroDataRetention: false, sampleRate: 0.1 }))
    })
    const started = performance.now()
    for (let i = 0; i < rows.length; i += 6400) {
      await ch.client.insert({
        table: ch.table('spans'),
        values: rows.slice(i, i + 6400),
        format: 'JSONEachRow',
        clickhouse_settings: { async_insert: 0 },
      })
    }
    const seconds = (performance.now() - started) / 1000
    console.log(JSON.stringify({ rows: rows.length, seconds, rowsPerS: rows.length / seconds }))
  } else if (job === 'count') {
    const res = await ch.client.query({
      query: `SELECT count() AS rows, uniqExact(project_id, trace_id, span_id) AS keys FROM ${ch.table('spans')}`,
      format: 'JSONEachRow',
    })
    const [row] = await res.json()
    console.log(JSON.stringify({ rows: Number(row.rows), keys: Number(row.keys) }))
  } else {
    throw new Error(`unknown job ${job}`)
  }
} finally {
  await ch.close()
}
