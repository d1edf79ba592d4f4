// The published signing keys: every key that ever signed stays in the JWKS (rotation never removes one).
import type { JSONWebKeySet, JWK } from 'jose'
import { listReportKeys, registerReportKey, type Db } from '@tollgate/store'
import { verifyReport, type SigningKey, type VerifyResult } from './signing.js'

/** Publishes the key's public half; called once per process before it signs. */
export async function publishSigningKey(db: Db, key: SigningKey): Promise<void> {
  await registerReportKey(db, { kid: key.kid, alg: key.alg, publicJwk: JSON.stringify(key.publicJwk) })
}

/** Every published key, oldest first. */
export async function publishedJwks(db: Db): Promise<JSONWebKeySet> {
  const rows = await listReportKeys(db)
  return { keys: rows.map((r) => JSON.parse(r.publicJwk) as JWK) }
}

/** Verifies with this server's published keys: the same check the offline CLI makes with the JWKS. */
export async function verifyWithPublishedKeys(db: Db, pdf: Uint8Array, jws: string): Promise<VerifyResult> {
  return verifyReport(pdf, jws, await publishedJwks(db))
}
