/**
 * Client-side binding of `{name:Type}` placeholders into typed SQL literals, for the embedded engine.
 *
 * Why: chDB's Node binding runs every parameterised query of the process through one global promise
 * chain (node_modules/chdb/index.js, `globalParamChain`: its server-side parameter state is not
 * isolated per connection), so a slow parameterised read delays every other read and write that
 * carries parameters. Queries without parameters are not chained and run in parallel on separate
 * connections. Binding here keeps the `{name:Type}` contract of named queries while sending plain SQL.
 *
 * Safety: a value is rendered only as the literal of the type its placeholder declares, and checked
 * against that type first (a string placeholder gets an escaped string literal, numbers must be finite
 * and in range, dates must match the date syntax); anything else throws before SQL is built. Types
 * come from our own query text, never from a request.
 */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g

export class BindError extends Error {}

export function bindParams(query: string, params: Record<string, unknown>): string {
  return query.replace(PLACEHOLDER, (_m, name: string, type: string) => {
    if (!Object.hasOwn(params, name)) throw new BindError(`no value for {${name}}`)
    return literal(type.trim(), params[name], name)
  })
}

const INT = /^(U?)Int(8|16|32|64)$/
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d{1,9})?)?$/

function literal(type: string, value: unknown, name: string): string {
  const inner = unwrap(type, 'LowCardinality') ?? unwrap(type, 'Nullable')
  if (inner) return literal(inner, value, name)
  const element = unwrap(type, 'Array')
  if (element) {
    if (!Array.isArray(value)) throw new BindError(`{${name}}: expected an array`)
    return `[${value.map((v: unknown) => literal(element, v, name)).join(', ')}]`
  }
  if (type === 'String') {
    if (typeof value !== 'string') throw new BindError(`{${name}}: expected a string`)
    return quote(value)
  }
  const int = INT.exec(type)
  if (int) return integer(value, int[1] === 'U', name)
  if (type === 'Float64' || type === 'Float32') {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new BindError(`{${name}}: expected a finite number`)
    return `toFloat64(${String(value)})`
  }
  if (type === 'Bool') {
    if (typeof value !== 'boolean') throw new BindError(`{${name}}: expected a boolean`)
    return value ? 'true' : 'false'
  }
  if (/^(Date|Date32|DateTime|DateTime64)\b/.test(type)) {
    if (typeof value !== 'string' || !DATE_TEXT.test(value)) throw new BindError(`{${name}}: expected a date text`)
    // The type text is ours (the query's placeholder); the value is a checked date text.
    return `CAST(${quote(value)} AS ${type})`
  }
  throw new BindError(`{${name}}: unsupported type ${type}`)
}

function unwrap(type: string, wrapper: string): string | null {
  return type.startsWith(`${wrapper}(`) && type.endsWith(')') ? type.slice(wrapper.length + 1, -1).trim() : null
}

function integer(value: unknown, unsigned: boolean, name: string): string {
  let text: string
  if (typeof value === 'number' && Number.isSafeInteger(value)) text = String(value)
  else if (typeof value === 'bigint') text = value.toString()
  else throw new BindError(`{${name}}: expected an integer`)
  if (unsigned && text.startsWith('-')) throw new BindError(`{${name}}: expected an unsigned integer`)
  return text
}

/** A ClickHouse string literal: backslash and quote escaped, control bytes as \xHH. */
export function quote(s: string): string {
  let out = "'"
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0
    if (ch === '\\') out += '\\\\'
    else if (ch === "'") out += "\\'"
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return `${out}'`
}
