import { listProjectPiiPolicies, type Db } from '@tollgate/store'
import type { PiiPolicy } from './enrich.js'

const POLICIES = new Set<string>(['redact', 'drop', 'keep'])

/**
 * Projects' own PII policies (`projects.pii_policy`), held in memory so the ingest hot path never
 * waits on Postgres. Refreshed on a timer (another replica's change shows within `refreshMs`) and at
 * once on this process after a change. Until the first refresh, every project gets PII_POLICY.
 */
export class ProjectPolicies {
  private policies = new Map<string, PiiPolicy>()
  private timer: NodeJS.Timeout | null = null

  constructor(private readonly db: Db) {}

  readonly get = (projectId: string): PiiPolicy | undefined => this.policies.get(projectId)

  async refresh(): Promise<void> {
    const rows = await listProjectPiiPolicies(this.db)
    const next = new Map<string, PiiPolicy>()
    for (const r of rows) if (POLICIES.has(r.piiPolicy)) next.set(r.id, r.piiPolicy as PiiPolicy)
    this.policies = next
  }

  start(refreshMs: number, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => void this.refresh().catch(onError), refreshMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
  }
}
