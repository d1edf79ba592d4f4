import { createHash, randomBytes, randomUUID } from 'node:crypto'

/** Recognisable by secret scanners and by the middleware, which sends these to the key store, never to a JWT verifier. */
export const KEY_PREFIX = 'tg_sk_'
/** 24 random bytes = 192 bits of secret: well above the 128 bits a plain (unsalted) SHA-256 needs to be safe to store. */
const SECRET_BYTES = 24
/** How much of a key lists show to tell keys apart (the prefix plus 6 characters, 36 bits: not enough to guess the rest). */
const SHOWN_CHARS = KEY_PREFIX.length + 6

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex')

export const isProjectKey = (credential: string): boolean => credential.startsWith(KEY_PREFIX)

export interface NewKey {
  id: string
  /** Shown once in the creation response; only `hash` is stored. */
  key: string
  prefix: string
  hash: string
}

export function generateKey(): NewKey {
  const key = KEY_PREFIX + randomBytes(SECRET_BYTES).toString('base64url')
  return { id: `key_${randomUUID().replaceAll('-', '')}`, key, prefix: key.slice(0, SHOWN_CHARS), hash: hashKey(key) }
}

export const newProjectId = (): string => `proj_${randomUUID().replaceAll('-', '').slice(0, 20)}`
