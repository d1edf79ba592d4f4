import { open, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * A crash between a spans insert and its views' inserts leaves the derived tables (trace_index, the
 * rollups) short, and the replay of those log records finds the spans stored and inserts nothing. So a
 * start that replayed records owes a refresh of the derived tables once the replay is stored. The debt
 * is a file under DATA_DIR, so a second crash before the refresh does not forget it; a refresh that
 * completes settles it.
 */
const file = (dataDir: string): string => join(dataDir, 'derived-refresh.pending')

export async function recordReplayDebt(dataDir: string): Promise<void> {
  const handle = await open(file(dataDir), 'w', 0o600)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export async function hasReplayDebt(dataDir: string): Promise<boolean> {
  return stat(file(dataDir)).then(
    () => true,
    () => false,
  )
}

export async function settleReplayDebt(dataDir: string): Promise<void> {
  await rm(file(dataDir), { force: true })
}
