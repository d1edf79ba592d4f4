import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ENV_VARIABLES, parseEnv } from '../src/env.js'

const example = readFileSync(fileURLToPath(new URL('../../../.env.example', import.meta.url)), 'utf8')
const entries = Object.fromEntries(
  example
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
)

describe('.env.example', () => {
  it('parses as a valid configuration', () => {
    expect(() => parseEnv(entries)).not.toThrow()
  })

  it('lists every variable of the schema, with the schema defaults', () => {
    expect(Object.keys(entries).sort()).toEqual([...ENV_VARIABLES].sort())
    expect(parseEnv(entries)).toEqual(parseEnv({}))
  })
})
