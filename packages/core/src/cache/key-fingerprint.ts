import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { removeFolder } from './remove-folder.js';

/** The file in each environment folder naming the key its data is encrypted with (never the key). */
export const fingerprintFile = 'key-fingerprint';
const header = 'episodic-cache-key 1';
const fileShape = new RegExp(`^${header}\\n([0-9a-f]{64}|unencrypted)\\n$`);

/** The fingerprint in `envPath`; `null` if the folder has none (or a garbled one); `undefined` if there is no folder. */
function readFingerprint(envPath: string): string | null | undefined {
  // A folder renamed into place always holds its fingerprint. One found without it may have been
  // renamed away (another process's purge) and another renamed in between the look for the
  // folder and the read of the file: read again, or a whole folder would pass for one without a
  // fingerprint and be deleted while other processes have it open.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    // The folder first: one that appears between a failed read and this look is read next time.
    if (!existsSync(envPath)) return undefined;
    try {
      return fileShape.exec(readFileSync(join(envPath, fingerprintFile), 'utf8'))?.[1] ?? null;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
  }
  return existsSync(envPath) ? null : undefined;
}

/**
 * Creates the folder with its fingerprint and its LMDB environment already inside: it is built
 * under a temporary name (0700, the file 0600) and renamed into place, so no process ever finds
 * it without a fingerprint, or opens an environment another process is still creating (see
 * `initializeEnvironment`).
 */
function createKeyedFolder(
  envPath: string,
  fingerprint: string,
  initialize: (staging: string) => void,
): void {
  const staging = mkdtempSync(`${envPath}.new-`);
  try {
    writeFileSync(join(staging, fingerprintFile), `${header}\n${fingerprint}\n`, { mode: 0o600, flag: 'wx' });
    initialize(staging);
    renameSync(staging, envPath);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    // Another process created the folder first (its fingerprint is read next), or removed our
    // staging folder (then we try again).
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY' && code !== 'ENOENT') throw error;
  }
}

/**
 * Makes sure the environment folder exists and carries `fingerprint` before LMDB opens it;
 * `initialize` creates the environment in a new folder before it is renamed into place.
 * A folder with another fingerprint, a garbled one or none is deleted, not set aside: opening
 * it could crash the process, it may hold plaintext the store's key was meant to protect, and
 * it is derived data.
 */
export function ensureKeyedFolder(
  envPath: string,
  fingerprint: string,
  logger: Logger,
  initialize: (staging: string) => void,
): void {
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const found = readFingerprint(envPath);
    if (found === fingerprint) return;
    if (found === undefined) {
      createKeyedFolder(envPath, fingerprint, initialize);
      continue;
    }
    removeFolder(envPath);
    const problem =
      found === null ? 'has no readable key fingerprint' : 'was built with another encryption key (or none)';
    logger.warn(
      `Episodic cache: ${envPath} ${problem}, and LMDB cannot open it safely with this one; deleted it and ` +
        'started an empty cache. The database is untouched; the cache refills as it is read.',
    );
  }
  throw new Error(`could not create ${envPath} with its key fingerprint`);
}
