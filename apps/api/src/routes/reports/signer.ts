import { loadSigningKey, publishSigningKey, type SigningKey } from '@tollgate/reports'
import type { AppDeps } from '../../context.js'

const keys = new WeakMap<AppDeps, Promise<SigningKey>>()

/**
 * The report signing key of these deps: REPORT_SIGNING_KEY, else the key generated once under DATA_DIR;
 * its public half is published (report_keys) before anything is signed with it. Loaded at start
 * (`startCompliance`) so a bad key stops the server instead of failing the first report.
 */
export function signingKeyOf(deps: AppDeps): Promise<SigningKey> {
  let key = keys.get(deps)
  if (!key) {
    key = (async () => {
      const loaded = await loadSigningKey({ pem: deps.env.REPORT_SIGNING_KEY, dataDir: deps.env.DATA_DIR })
      await publishSigningKey(deps.pg.db, loaded)
      return loaded
    })()
    // A failure is not cached: the next call tries again (e.g. Postgres was down for a moment).
    key.catch(() => keys.delete(deps))
    keys.set(deps, key)
  }
  return key
}

/** A response's signature headers: the detached JWS and what a client needs to name the report. */
export const signatureHeaders = (signed: { signature: string; reportId: string; keyId: string }, filename: string) => ({
  'Content-Type': 'application/pdf',
  'Content-Disposition': `attachment; filename="${filename}"`,
  'X-Signature': signed.signature,
  'X-Report-Id': signed.reportId,
  'X-Signing-Key-Id': signed.keyId,
  'Cache-Control': 'no-store',
})
