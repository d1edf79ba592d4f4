import type { AppDeps } from '../../context.js'
import { recordStartConfig } from '../audit/record.js'
import { signingKeyOf } from './signer.js'

/**
 * At start: loads and publishes the report signing key (a bad REPORT_SIGNING_KEY stops the server here,
 * naming the variable) and audits the configuration the server runs with.
 */
export async function startCompliance(deps: AppDeps): Promise<void> {
  const key = await signingKeyOf(deps)
  await recordStartConfig(deps.pg.db, deps.env, deps.logger, { report_signing_key_id: key.kid })
}
