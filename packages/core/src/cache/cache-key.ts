import { hkdfSync, scryptSync } from 'node:crypto';

/**
 * How the cache of one database is encrypted, derived from the store's `encryptionKey`. Neither
 * the user's key nor `lmdbKey` is ever written anywhere; only the fingerprint is.
 */
export interface CacheKeying {
  /** lmdb-js's `encryptionKey` (ChaCha8), or `undefined` for an unencrypted cache. */
  lmdbKey: string | undefined;
  /**
   * What the environment's fingerprint file holds: a value that tells keys apart without
   * revealing them, or `unencrypted`. An environment is opened only by a key whose fingerprint
   * it carries: LMDB crashes the process (SIGSEGV) when it opens an environment with another key.
   */
  fingerprint: string;
  /** A short form of the fingerprint in the environment's folder name (see `prepareCacheFolder`). */
  tag: string;
}

export const unencryptedFingerprint = 'unencrypted';
const unencryptedTag = 'plain';

/**
 * scrypt, not a plain hash: the cache files sit beside the database, and guessing a passphrase
 * against them must cost at least what it costs against the database (libSQL's own key
 * derivation takes a few ms). N = 2^14, r = 8 takes 16 MiB and tens of ms, once per open.
 */
const scryptCost = { N: 2 ** 14, r: 8, p: 1 };

/**
 * Derives the cache's key and fingerprint from the store's key. The database's identity salts
 * the derivation, so one passphrase gives unrelated keys for different databases.
 */
export function deriveCacheKeying(encryptionKey: string | undefined, databaseIdentity: string): CacheKeying {
  if (encryptionKey === undefined)
    return { lmdbKey: undefined, fingerprint: unencryptedFingerprint, tag: unencryptedTag };
  const master = scryptSync(encryptionKey, `episodic cache key v1\0${databaseIdentity}`, 32, scryptCost);
  const expand = (label: string, bytes: number) =>
    Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), label, bytes));
  // lmdb-js takes the key as a string and needs exactly 32 bytes of UTF-8: 24 random bytes in
  // base64url are 32 ASCII characters (a 192-bit key).
  const lmdbKey = expand('episodic lmdb cache encryption key v1', 24).toString('base64url');
  const fingerprint = expand('episodic cache key fingerprint v1', 32).toString('hex');
  return { lmdbKey, fingerprint, tag: fingerprint.slice(0, 16) };
}
