// Client-side binding (bind.ts) on the real engine: whatever a string holds comes back unchanged as
// that string (no value can end the literal and become SQL), and a value of the wrong kind for its
// placeholder's type is refused before any SQL is built.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { BindError, bindParams, connectClickHouse, runQuery, type ClickHouse } from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-bind-'))
let ch: ClickHouse
beforeAll(async () => {
  ch = await connectClickHouse({ database: 'tollgate', dataDir: dir })
})
afterAll(async () => {
  await ch.close()
  rmSync(dir, { recursive: true, force: true })
})

const HOSTILE = [
  'plain',
  '',
  "it's",
  "\\'",
  '\\',
  "'; DROP TABLE x; --",
  "a\\' OR 1=1 --",
  '\u0000nul',
  'tab\tnew\nline\r',
  '\u007f',
  'émoji 🚀',
  'lone \ud800 surrogate',
  '{x:String}',
  '$1 ?',
  'back\\\\slash',
  "'''",
  '\\x27',
]

describe('bindParams', () => {
  it.each(HOSTILE.map((s) => ({ s })))('round-trips %j as a String and inside an Array(String)', async ({ s }) => {
    const rows = await runQuery(ch, {
      name: 'test.bind',
      query: 'SELECT {s:String} AS v, {a:Array(String)} AS a, length({s:String}) AS n',
      params: { s, a: [s, 'x'] },
      schema: z.object({ v: z.string(), a: z.array(z.string()), n: z.coerce.number() }),
    })
    // A lone surrogate has no UTF-8 form; it is sent as U+FFFD, like any UTF-8 encoder does.
    const expected = Buffer.from(s, 'utf8').toString('utf8')
    expect(rows).toEqual([{ v: expected, a: [expected, 'x'], n: Buffer.byteLength(expected) }])
  })

  it('binds numbers, booleans and dates as their types', async () => {
    const rows = await runQuery(ch, {
      name: 'test.bind_types',
      query: `SELECT {u:UInt64} AS u, {i:Int32} AS i, {f:Float64} AS f, {b:Bool} AS b, toString({d:DateTime64(6, 'UTC')}) AS d
              LIMIT {n:UInt32}`,
      params: { u: 2 ** 53 - 1, i: -5, f: -1.5e-300, b: true, d: '2026-01-02 03:04:05.123456', n: 1 },
      schema: z.object({ u: z.coerce.number(), i: z.number(), f: z.number(), b: z.boolean(), d: z.string() }),
    })
    expect(rows).toEqual([{ u: 2 ** 53 - 1, i: -5, f: -1.5e-300, b: true, d: '2026-01-02 03:04:05.123456' }])
  })

  it.each([
    { type: 'String', value: 1 },
    { type: 'UInt32', value: -1 },
    { type: 'UInt32', value: 1.5 },
    { type: 'UInt32', value: '1 OR 1=1' },
    { type: 'Float64', value: Number.NaN },
    { type: 'Float64', value: '1' },
    { type: "DateTime64(6, 'UTC')", value: "2026-01-01' OR '1" },
    { type: 'Array(String)', value: 'x' },
    { type: 'Bool', value: 'true' },
    { type: 'Map(String, String)', value: {} },
  ])('refuses $value for {p:$type}', ({ type, value }) => {
    expect(() => bindParams(`SELECT {p:${type}}`, { p: value })).toThrow(BindError)
  })

  it('refuses a placeholder without a value', () => {
    expect(() => bindParams('SELECT {p:String}', {})).toThrow(BindError)
  })
})
