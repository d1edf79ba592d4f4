import { mkdirSync } from 'node:fs'
import { appendFile, open } from 'node:fs/promises'
import { join } from 'node:path'
import type { DeadLetter } from './batch-store.js'

/**
 * Dead letters of the direct mode: one JSON line per row the store refused on its own (the row as it
 * was acknowledged, the error, when), fdatasync'd, in `DATA_DIR/dead-letter/spans.jsonl`. An operator
 * can fix and re-post them; nothing acknowledged disappears without a trace.
 */
export function createDeadLetterFile(
  dir: string,
  onWrite?: (rows: number) => void,
): DeadLetter & { readonly path: string } {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'spans.jsonl')
  return {
    path,
    async write(rows) {
      const at = new Date().toISOString()
      const text = rows
        .map(({ row, error }) =>
          JSON.stringify({
            at,
            project_id: row.projectId,
            trace_id: row.traceId,
            span_id: row.spanId,
            error,
            row: row.line,
          }),
        )
        .join('\n')
      await appendFile(path, text + '\n')
      const fh = await open(path, 'r+')
      await fh.datasync().finally(() => fh.close())
      onWrite?.(rows.length)
    },
  }
}
