import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DatabaseLocation } from '../db/database-location.js';
import type { Logger } from '../logger.js';
import { type Cache, disabledCache } from './cache.js';
import { prepareCacheFolder, removeOtherKeys, setAside } from './cache-folder.js';
import { type CacheKeying, deriveCacheKeying } from './cache-key.js';
import type { CacheSettings } from './cache-options.js';
import { createLmdbCache } from './lmdb-cache.js';
import { acquireHandle, type LmdbHandle } from './lmdb-handle.js';

/**
 * Where the cache lives when `cache.path` is not set: beside a local database file (so it moves
 * and is backed up with it), `./data/cache` for a remote database, and nowhere for `:memory:`.
 */
export function defaultCacheRoot(location: DatabaseLocation): string | null {
  if (location.kind === 'memory') return null;
  if (location.path !== undefined) return join(dirname(location.path), 'cache');
  return resolve('data', 'cache');
}

/**
 * Names the database the cache belongs to, so each database gets its own environment even
 * when several share one cache folder. An in-memory database is new at every open.
 */
function databaseIdentity(url: string, location: DatabaseLocation): string {
  if (location.kind === 'memory') return `memory:${randomUUID()}`;
  if (location.path !== undefined) {
    try {
      return `file:${realpathSync(location.path)}`;
    } catch {
      return `file:${location.path}`;
    }
  }
  const remote = new URL(url);
  return `remote:${remote.host}${remote.pathname}`;
}

/** Opens of a folder that vanished each time, before the open gives up. */
const maxVanished = 5;

function openEnvironment(
  root: string,
  identity: string,
  keying: CacheKeying,
  settings: CacheSettings,
  logger: Logger,
): LmdbHandle {
  let setAsideOnce = false;
  for (let vanished = 0; ; ) {
    let opened: LmdbHandle | string | null;
    let envPath: string;
    try {
      const folder = prepareCacheFolder(root, identity, keying, logger, settings.mapSizeBytes);
      envPath = folder.envPath;
      opened = acquireHandle(envPath, {
        volatile: folder.volatile,
        mapSizeBytes: settings.mapSizeBytes,
        encryptionKey: keying.lmdbKey,
      });
    } catch (error) {
      // Another process sharing the cache renamed the folder away between our finding it and
      // opening it (its purge, or a failure): it builds a new one, or we do on the next try.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && ++vanished < maxVanished) continue;
      throw error;
    }
    if (opened === null) {
      if (++vanished < maxVanished) continue;
      throw new Error(`${envPath} was replaced by another process each time it was opened`);
    }
    if (typeof opened !== 'string') return opened;
    if (setAsideOnce) throw new Error(`${envPath} is ${opened}`);
    setAsideOnce = true;
    setAside(envPath, opened, logger);
  }
}

export interface OpenCacheOptions {
  url: string;
  location: DatabaseLocation;
  settings: CacheSettings | false;
  logger: Logger;
  /** The store's `encryptionKey`: the cache is encrypted with a key derived from it. */
  encryptionKey?: string | undefined;
  /**
   * The database was opened with `encryptionKey`, so it is the database's key and no live process
   * of this database uses another: environments built with another key (or none) are deleted.
   * A bare cache open proves nothing, and deleting an environment another process has open
   * could crash that process.
   */
  keyProven?: boolean;
}

/**
 * The store's cache: LMDB when it is configured and usable, otherwise the disabled cache with
 * the reason (also logged when something went wrong). Opening never fails the store.
 */
export function openCache({
  url,
  location,
  settings,
  logger,
  encryptionKey,
  keyProven = false,
}: OpenCacheOptions): Cache {
  if (settings === false) return disabledCache('turned off (cache: false)');
  const root = settings.path === undefined ? defaultCacheRoot(location) : resolve(settings.path);
  if (root === null) return disabledCache('in-memory database and no cache.path');
  const identity = databaseIdentity(url, location);
  try {
    const keying = deriveCacheKeying(encryptionKey, identity);
    if (keyProven) removeOtherKeys(root, identity, keying, logger);
    return createLmdbCache({
      root,
      settings,
      logger,
      openEnv: () => openEnvironment(root, identity, keying, settings, logger),
      ephemeral: location.kind === 'memory',
    });
  } catch (error) {
    const reason = `the cache at ${root} cannot be used: ${error instanceof Error ? error.message : String(error)}`;
    logger.warn(`Episodic: running without a cache; ${reason}. The database is unaffected.`);
    return disabledCache(reason);
  }
}
