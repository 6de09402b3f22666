import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../logger.js';
import type { CacheKeying } from './cache-key.js';
import { ensureKeyedFolder } from './key-fingerprint.js';
import { lmdbDataFileProblem } from './lmdb-file-check.js';
import { initializeEnvironment } from './lmdb-handle.js';
import { emptyFolder, removedPrefix, removeFolder } from './remove-folder.js';

/** Bumped when the stored layout changes; folders of another format are never opened. */
const formatVersion = 1;
/**
 * `lmdb-v<format>-b<boot>-d<database>-k<key tag>`, with a suffix while it is being built
 * (`.new-`), removed (`.old-`) or once set aside (`.corrupt-`). Folders from before the key tag
 * have none.
 */
const envFolderPattern =
  /^lmdb-v(\d+)-b([0-9a-z]{8})-d([0-9a-f]{12})(?:-k([0-9a-z]{1,16}))?(\.(?:corrupt|new|old)-.*)?$/;
const linuxBootTag = /^[0-9a-f]{8}$/;

export interface BootTag {
  tag: string;
  /**
   * True when the cache may skip fsync. Unsynced commits survive a process crash (they sit in
   * the OS page cache) but a power loss can lose or tear them, which would bring back entries an
   * invalidation had removed. Such a cache is only trusted within the boot that wrote it.
   */
  volatile: boolean;
}

/** Linux names every boot with a random id; elsewhere the cache syncs its commits instead. */
export function currentBoot(): BootTag {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').replace(/-/g, '').trim();
    if (/^[0-9a-f]{32}$/.test(id)) return { tag: id.slice(0, 8), volatile: true };
  } catch {
    // not Linux, or /proc is hidden: fall through to a synced cache
  }
  return { tag: 'durable0', volatile: false };
}

export interface CacheFolder {
  /** The LMDB environment folder for this boot and this database. */
  envPath: string;
  volatile: boolean;
}

function removeOtherBoots(root: string, boot: BootTag): void {
  if (!boot.volatile) return;
  for (const entry of readdirSync(root)) {
    const match = envFolderPattern.exec(entry);
    const tag = match?.[2];
    // Only folders of an earlier Linux boot: no process of this boot can be using them. A removed
    // one (`.old-`) is empty already, and deleted by `removeFolder` in its time.
    if (tag !== undefined && linuxBootTag.test(tag) && tag !== boot.tag && !match?.[5]?.startsWith('.old-')) {
      removeFolder(join(root, entry));
    }
  }
}

/** Moves a damaged environment folder out of the way, keeping it for inspection. */
export function setAside(envPath: string, problem: string, logger: Logger): void {
  const aside = `${envPath}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    renameSync(envPath, aside);
  } catch (error) {
    // Another process sharing the cache set it aside first.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  logger.warn(
    `Episodic cache: ${envPath} is not a usable cache (${problem}); moved it to ${aside} and started ` +
      'an empty cache. The database is untouched; the cache refills as it is read.',
  );
}

/**
 * Deletes the environments of `envPath` set aside as damaged, and those a removal renamed but did
 * not live to delete (`removeFolder` killed between the two): they hold cached episodes as they
 * were, so a purge after `forget` must take them too, or the forgotten text outlives the request.
 */
export function removeSetAside(envPath: string): void {
  const corrupt = `${basename(envPath)}.corrupt-`;
  const root = dirname(envPath);
  for (const entry of readdirSync(root)) {
    if (entry.startsWith(corrupt)) removeFolder(join(root, entry));
    // Emptied, not deleted: a process may still be opening it (`emptiedFolderLifetimeMs`).
    else if (entry.startsWith(removedPrefix(envPath))) emptyFolder(join(root, entry));
  }
}

/** A staging folder older than this was left by a process that died while building it. */
const stagingLifetimeMs = 60_000;

function isStale(path: string): boolean {
  const modified = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
  return modified !== undefined && Date.now() - modified > stagingLifetimeMs;
}

function databaseTag(databaseIdentity: string): string {
  return createHash('sha256').update(databaseIdentity).digest('hex').slice(0, 12);
}

/**
 * Deletes this database's environments built with another key, or without one, including
 * set-aside ones: the current key cannot open them, and an unencrypted one would keep plaintext
 * on disk after the store moved to a key. Only a store that opened the database with its key
 * calls it (`keyProven`), once per open: no live process of the database uses another key then.
 */
export function removeOtherKeys(
  root: string,
  databaseIdentity: string,
  keying: CacheKeying,
  logger: Logger,
): void {
  if (!existsSync(root)) return;
  const database = databaseTag(databaseIdentity);
  const others = readdirSync(root).filter((entry) => {
    const match = envFolderPattern.exec(entry);
    if (match === null || match[3] !== database || match[4] === keying.tag) return false;
    // Removed already: emptied, and deleted in its time (renamed again, it was reported again).
    if (match[5]?.startsWith('.old-')) return false;
    // A folder another process is building holds only a fingerprint; it becomes an environment
    // (and is removed then) unless that process died, which leaves it stale.
    return !match[5]?.startsWith('.new-') || isStale(join(root, entry));
  });
  if (others.length === 0) return;
  for (const entry of others) removeFolder(join(root, entry));
  logger.warn(
    `Episodic cache: the encryption key of this store changed (or was added or removed); deleted the ` +
      `cache built with the other key (${others.join(', ')} in ${root}). The cache refills as it is read.`,
  );
}

/**
 * Creates the cache folder and picks the environment inside it: one per format, boot, database
 * and key, so two databases in one folder never share entries, a cache from before a reboot is
 * never opened, and no process opens an environment with another key (LMDB would crash): the
 * key tag in the name settles that without a race, the fingerprint file inside confirms it.
 * A data file that LMDB could crash on is set aside first.
 */
export function prepareCacheFolder(
  root: string,
  databaseIdentity: string,
  keying: CacheKeying,
  logger: Logger,
  mapSizeBytes: number,
): CacheFolder {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const boot = currentBoot();
  const initialize = (staging: string) =>
    initializeEnvironment(staging, { volatile: boot.volatile, mapSizeBytes, encryptionKey: keying.lmdbKey });
  removeOtherBoots(root, boot);
  const envPath = join(
    root,
    `lmdb-v${formatVersion}-b${boot.tag}-d${databaseTag(databaseIdentity)}-k${keying.tag}`,
  );
  ensureKeyedFolder(envPath, keying.fingerprint, logger, initialize);
  const problem = lmdbDataFileProblem(join(envPath, 'data.mdb'));
  if (problem !== null) {
    setAside(envPath, problem, logger);
    ensureKeyedFolder(envPath, keying.fingerprint, logger, initialize);
  }
  return { envPath, volatile: boot.volatile };
}
