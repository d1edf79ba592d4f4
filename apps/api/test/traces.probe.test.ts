import { afterAll, beforeAll, it } from 'vitest'
import { runQuery } from '@tollgate/store'
import { z } from 'zod'
import { startTestApp, type TestApp } from './harness.js'
let t: TestApp
beforeAll(async () => { t = await startTestApp() })
afterAll(async () => { await t.close() })
it('probe', async () => {
  const rows = await runQuery(t.deps.ch, { name: 'p', query: `SELECT toFloat64(0.1) + toFloat64(0.2) AS a, toFloat64(1767225600123456) AS b, toFloat64(1/3) AS c, toFloat64(1234567)/1000 AS d, sum(x) AS e FROM (SELECT arrayJoin([0.1, 0.2, 0.7, 1e-9]) AS x)`, params: {}, schema: z.object({ a: z.number(), b: z.number(), c: z.number(), d: z.number(), e: z.number() }) })
  console.log(rows, 0.1 + 0.2)
  const res = await t.deps.ch.client.query({ query: 'SELECT toFloat64(0.1) + toFloat64(0.2) AS a, 1/3 AS c', format: 'JSONEachRow' })
  console.log(await res.text())
})
