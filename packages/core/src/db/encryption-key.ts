import { statSync } from 'node:fs';
import { EpisodicError } from '../errors.js';
import { locateDatabase } from './database-location.js';

/**
 * Fewest characters (code points) a new encryption key may have. The key is a passphrase: anyone
 * holding a copied file (a stolen disk, a backup) can try guesses offline, with no server in the
 * way to slow them, so a short one is a lock in name only. Only a key being set is checked: a
 * store created under a shorter key (before this check, or by hand) keeps opening with it.
 */
export const minEncryptionKeyChars = 16;

/**
 * Why `key` may not become an encryption key (it is too short), or `null` when it may; the key
 * itself is never part of the text. Starts with "is", for the caller to prefix the setting's name.
 */
export function newEncryptionKeyIssue(key: string | undefined): string | null {
  if (key === undefined || [...key].length >= minEncryptionKeyChars) return null;
  return (
    `is shorter than ${minEncryptionKeyChars} characters: a new encryption key needs at least ` +
    `${minEncryptionKeyChars} (a random one, e.g. \`openssl rand -base64 32\`)`
  );
}

/** Refuses (`VALIDATION`, naming `field`) a new key that is too short; `after` ends the message. */
export function assertNewEncryptionKey(key: string | undefined, field: string, after: string): void {
  const issue = newEncryptionKeyIssue(key);
  if (issue === null) return;
  throw new EpisodicError('VALIDATION', `${field} ${issue}. ${after}`, {
    issues: [{ path: field, message: issue }],
  });
}

/** Whether the local database file (and its WAL) holds nothing yet: opening it creates the store. */
function holdsNoStore(path: string): boolean {
  const bytes = (file: string) => {
    try {
      return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    } catch {
      // A path under a file (ENOTDIR): the open that follows refuses it with its own message.
      return Number.NaN;
    }
  };
  return bytes(path) === 0 && bytes(`${path}-wal`) === 0;
}

/**
 * `openMemory` with an `encryptionKey` that would create the store (a local file not there yet,
 * or empty) refuses a key that is too short, before anything is written. An existing store opens
 * with whatever key it has; in memory and remote stores, no file is encrypted under it here.
 */
export function assertKeyOfNewStore(config: {
  url: string;
  syncUrl?: string | undefined;
  encryptionKey?: string | undefined;
}): void {
  if (config.encryptionKey === undefined || !config.url.startsWith('file:')) return;
  const location = locateDatabase(config.url, config.syncUrl);
  if (location.path === undefined || !holdsNoStore(location.path)) return;
  assertNewEncryptionKey(
    config.encryptionKey,
    'encryptionKey',
    'A store that exists keeps opening with its own key, whatever its length.',
  );
}
