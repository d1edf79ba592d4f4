import { findStoredSpanKeys, insertRowLines, spanKeyString, type ClickHouse, type RowRecord } from '@tollgate/store'

/** Where rows the store refuses on their own go: kept with the reason, never silently dropped. */
export interface DeadLetter {
  write(rows: Array<{ row: RowRecord; error: string }>): Promise<void>
}

export interface StoreHooks {
  /** Every insert statement, for metrics; must not throw. */
  onInsert?(e: { rows: number; seconds: number; ok: boolean }): void
  /** Every failed insert, once, with its cause (logged without content). */
  onInsertError?(e: { rows: number; error: unknown; isolating: boolean }): void
}

export interface BatchStoreDeps {
  ch: ClickHouse
  deadLetter: DeadLetter
  hooks?: StoreHooks
}

export interface StoreOutcome {
  inserted: number
  /** Already stored (a redelivery, a replay) or repeated within the batch: skipped, counted once. */
  duplicates: number
  deadLettered: number
}

/** Below ClickHouse's max_partitions_per_insert_block (100): one partition is one UTC day or coarser. */
export const MAX_DAYS_PER_INSERT = 90

// ClickHouse error codes that mean "this data can never be stored" rather than "not now":
// parse and conversion failures, values out of a type's range, bad arguments.
const DATA_ERROR_CODES = new Set([
  '6',
  '26',
  '27',
  '32',
  '38',
  '41',
  '43',
  '53',
  '69',
  '70',
  '72',
  '117',
  '131',
  '321',
  '407',
  '36',
])

/**
 * The batch-store verb: rows → dedup → inserts of at most {@link MAX_DAYS_PER_INSERT} partitions.
 * Dedup is exact for one caller at a time (one drainer per log): a key already stored is never
 * inserted again, whatever start time or partition the redelivery carries (first delivery wins).
 * A refused insert is bisected until the rows the store refuses are alone; those are dead-lettered
 * and their neighbours stored. Throws when the store cannot be reached: the caller keeps the rows
 * (in its log) and retries.
 */
export async function storeRows(deps: BatchStoreDeps, rows: RowRecord[]): Promise<StoreOutcome> {
  const fresh = await withoutDuplicates(deps.ch, rows)
  const outcome: StoreOutcome = { inserted: 0, duplicates: rows.length - fresh.length, deadLettered: 0 }
  for (const chunk of byPartitionLimit(fresh)) {
    const r = await insertIsolating(deps, chunk, false)
    outcome.inserted += r.inserted
    outcome.deadLettered += r.deadLettered
  }
  return outcome
}

async function withoutDuplicates(ch: ClickHouse, rows: RowRecord[]): Promise<RowRecord[]> {
  const byProject = new Map<string, RowRecord[]>()
  const seen = new Set<string>()
  for (const r of rows) {
    const key = `${r.projectId}/${r.traceId}/${r.spanId}`
    if (seen.has(key)) continue
    seen.add(key)
    const list = byProject.get(r.projectId)
    if (list) list.push(r)
    else byProject.set(r.projectId, [r])
  }
  const fresh: RowRecord[] = []
  for (const [projectId, list] of byProject) {
    const stored = await findStoredSpanKeys(ch, projectId, list)
    for (const r of list) if (!stored.has(spanKeyString(r))) fresh.push(r)
  }
  return fresh
}

/** Groups rows so that no insert touches more than MAX_DAYS_PER_INSERT days; order within a day is kept. */
export function byPartitionLimit(rows: RowRecord[]): RowRecord[][] {
  const days = new Map<number, RowRecord[]>()
  for (const r of rows) {
    const list = days.get(r.day)
    if (list) list.push(r)
    else days.set(r.day, [r])
  }
  if (days.size <= MAX_DAYS_PER_INSERT) return rows.length > 0 ? [rows] : []
  const sorted = [...days.keys()].sort((a, b) => a - b)
  const chunks: RowRecord[][] = []
  for (let i = 0; i < sorted.length; i += MAX_DAYS_PER_INSERT) {
    chunks.push(sorted.slice(i, i + MAX_DAYS_PER_INSERT).flatMap((d) => days.get(d) ?? []))
  }
  return chunks
}

async function insertIsolating(
  deps: BatchStoreDeps,
  rows: RowRecord[],
  isolating: boolean,
): Promise<{ inserted: number; deadLettered: number }> {
  const started = performance.now()
  try {
    await insertRowLines(
      deps.ch,
      rows.map((r) => r.line),
    )
    deps.hooks?.onInsert?.({ rows: rows.length, seconds: (performance.now() - started) / 1000, ok: true })
    return { inserted: rows.length, deadLettered: 0 }
  } catch (err) {
    deps.hooks?.onInsert?.({ rows: rows.length, seconds: (performance.now() - started) / 1000, ok: false })
    deps.hooks?.onInsertError?.({ rows: rows.length, error: err, isolating })
    const code = clickHouseCode(err)
    // No answer from the store (refused, reset, timed out): not the data's fault. Keep everything.
    if (code === null) throw err
    if (rows.length === 1) {
      const [row] = rows
      if (!row || !DATA_ERROR_CODES.has(code)) throw err
      await deps.deadLetter.write([{ row, error: `ClickHouse code ${code}: ${errorMessage(err)}` }])
      return { inserted: 0, deadLettered: 1 }
    }
    const half = Math.ceil(rows.length / 2)
    const a = await insertIsolating(deps, rows.slice(0, half), true)
    const b = await insertIsolating(deps, rows.slice(half), true)
    return { inserted: a.inserted + b.inserted, deadLettered: a.deadLettered + b.deadLettered }
  }
}

/** The ClickHouse error code of an error the store answered with; null when it did not answer. */
export function clickHouseCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^\d+$/.test(code) ? code : null
}

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 500)
