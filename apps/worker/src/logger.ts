export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void
  warn(event: string, fields?: Record<string, unknown>): void
  error(event: string, fields?: Record<string, unknown>): void
}

/** One JSON object per line on stdout (the API's format). Callers never pass span content. */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Logger {
  const log =
    (at: Exclude<LogLevel, 'silent' | 'debug'>) =>
    (event: string, fields: Record<string, unknown> = {}) => {
      if (RANK[at] < RANK[level]) return
      write(JSON.stringify({ time: new Date().toISOString(), level: at, event, service: 'worker', ...fields }))
    }
  return { info: log('info'), warn: log('warn'), error: log('error') }
}
