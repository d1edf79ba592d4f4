/** Debug logger. Messages never contain keys, prompts or completions: callers pass metadata only. */
export interface Logger {
  debug(msg: string, meta?: Record<string, unknown>): void
  /** Always written: a condition the operator must act on (e.g. a rejected API key). */
  warn(msg: string, meta?: Record<string, unknown>): void
}

function write(msg: string, meta: Record<string, unknown> | undefined): void {
  try {
    process.stderr.write(`[tollgate] ${msg}${meta ? ' ' + JSON.stringify(meta) : ''}\n`)
  } catch {
    // A closed stderr must not break the application.
  }
}

export function createLogger(enabled: boolean): Logger {
  return {
    debug(msg, meta) {
      if (enabled) write(msg, meta)
    },
    warn: write,
  }
}

/** Best-effort message of an unknown thrown value, bounded so it cannot bloat a span. */
export function errorMessage(err: unknown, max = 1024): string {
  let msg: string
  if (err instanceof Error) msg = err.message || err.name
  else if (typeof err === 'string') msg = err
  else {
    try {
      msg = JSON.stringify(err) ?? String(err)
    } catch {
      msg = String(err)
    }
  }
  return msg.length > max ? msg.slice(0, max) : msg
}
