import { randomInt } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase, type RootDatabaseOptions } from 'lmdb';
import { assertMapRoom, preallocateMapFiles } from './map-room.js';
import { pinFolder } from './pinned-folder.js';

export type CacheDb = RootDatabase<Buffer, string>;

const formatKey = 'meta:format';
const generationKey = 'meta:generation';
const feedKey = 'meta:feed';
const purgedKey = 'meta:purged';
const formatMarker = Buffer.from('episodic-cache 1');

/**
 * One open LMDB environment, shared by every store of this process that uses it. When the last
 * store releases it, it stays open (idle) until its folder is removed or replaced: lmdb-js
 * shares one native environment per data file within a process, and an open of the same file
 * while the previous close still waits for its asynchronous flush got handles whose read
 * transactions fail ("No transaction to renew") when other processes use the environment.
 */
export interface LmdbHandle {
  readonly db: CacheDb;
  readonly envPath: string;
  /** The data file's inode at open: if the path names another file later, the folder was replaced. */
  readonly inode: number;
  /**
   * Opened with LMDB's writable map (`OpenHandleOptions.volatile`): every write must first find
   * room on the disk for it (map-room.ts).
   */
  readonly writemap: boolean;
  refs: number;
}

const handles = new Map<string, LmdbHandle>();

/** The data file's inode, or undefined when there is no data file to be had at that path. */
export function dataFileInode(envPath: string): number | undefined {
  try {
    return statSync(join(envPath, 'data.mdb'), { throwIfNoEntry: false })?.ino;
  } catch {
    // A file in place of the folder (ENOTDIR) or a folder we may no longer read (EACCES) is a
    // cache gone as surely as a deleted one; thrown from the folder-check timer it ended the process.
    return undefined;
  }
}

function readNumber(db: CacheDb, key: string): number | null {
  const bytes = db.getBinaryFast(key);
  return bytes === undefined || bytes.length !== 8 ? null : bytes.readDoubleLE(0);
}

/** Call inside a write transaction. */
function writeNumber(db: CacheDb, key: string, value: number): void {
  const bytes = Buffer.allocUnsafe(8);
  bytes.writeDoubleLE(value, 0);
  db.putSync(key, bytes);
}

export function readGeneration(db: CacheDb): number {
  return readNumber(db, generationKey) ?? 0;
}

/** The last change-feed row applied to this environment (`change-feed.ts`), or null: none yet. */
export function readFeedPosition(db: CacheDb): number | null {
  return readNumber(db, feedKey);
}

/** Call inside a write transaction. */
export function writeFeedPosition(db: CacheDb, position: number): void {
  writeNumber(db, feedKey, position);
}

/**
 * The database's count of forgets (`fts_purge.requested`) this environment was built after, so
 * holds nothing of; null when not recorded (built before any purge, or by an earlier version).
 */
export function readPurgedForgets(db: CacheDb): number | null {
  return readNumber(db, purgedKey);
}

/** Call inside a write transaction. */
export function writePurgedForgets(db: CacheDb, forgets: number): void {
  writeNumber(db, purgedKey, forgets);
}

/**
 * Call inside a write transaction. A random step, not 1: two invalidations made on the same
 * state (one undid the other, see lost-commits.ts) then rarely write the same generation, and
 * when the later one's step is the smaller (half the time), any process that saw the first sees
 * the generation go back. A fill made on an undone state always does (fills do not advance it).
 */
export function advanceGeneration(db: CacheDb): void {
  writeNumber(db, generationKey, readGeneration(db) + 1 + randomInt(2 ** 16));
}

/**
 * Marks a new environment as ours, or says why an existing one is not. The generation starts
 * at a random point so that a stamp read from a replaced folder never matches the new one's.
 */
function claim(db: CacheDb): string | null {
  return db.transactionSync(() => {
    const marker = db.getBinary(formatKey);
    if (marker !== undefined)
      return marker.equals(formatMarker) ? null : 'written by another program or version';
    if (db.getKeysCount() > 0) return 'written by another program';
    db.putSync(formatKey, formatMarker);
    const start = Buffer.allocUnsafe(8);
    start.writeDoubleLE(randomInt(2 ** 47), 0);
    db.putSync(generationKey, start);
    return null;
  });
}

export interface OpenHandleOptions {
  /** Skip fsync (see `BootTag.volatile`). */
  volatile: boolean;
  mapSizeBytes: number;
  /**
   * lmdb-js's `encryptionKey`. The folder's key fingerprint must have been checked: opening an
   * environment with another key, or none, can crash the process.
   */
  encryptionKey?: string | undefined;
}

/** lmdb-js reads it (env.cpp) but does not declare it: the mode LMDB creates data.mdb and lock.mdb with. */
type WithFileMode = RootDatabaseOptions & { permissionsMode: number };
/** lmdb-js sets it (read.js) but does not declare it: `'closed'` once the native environment is closed. */
type WithStatus = CacheDb & { status?: string };

function openEnvironmentAt(path: string, options: OpenHandleOptions): CacheDb {
  // Opening writes too: a new environment's first pages, a claim.
  if (options.volatile) assertMapRoom(path, options.mapSizeBytes);
  // No lmdb-js `compression` (see envelope.ts) and no lmdb-js object cache: values are our own
  // bytes. `noSubdir: false` because lmdb-js takes a path with a dot in it (a staging folder's
  // `.new-` suffix) for a data file name. `noSync` only with `useWritemap`: lmdb-js 3.5's
  // unencrypted environments broke when several processes committed without sync through file
  // writes (a write transaction failing with "mdb_page_touch no parent", then every later one of
  // that process; sometimes SIGSEGV) in 8 of 160 processes (four at a time, 200 commits each),
  // and in none of 160 (and 240 on new environments) with the writable map. Commits through the
  // shared map stay as cheap (no fsync either way).
  const lmdbOptions: WithFileMode = {
    encoding: 'binary',
    noSubdir: false,
    noSync: options.volatile,
    useWritemap: options.volatile,
    mapSize: options.mapSizeBytes,
    permissionsMode: 0o600,
    ...(options.encryptionKey === undefined ? {} : { encryptionKey: options.encryptionKey }),
  };
  return open<Buffer, string>(path, lmdbOptions);
}

/**
 * Creates the environment in a folder no other process can see yet (a staging folder, renamed
 * into place afterwards), claims it and closes it again. lmdb-js 3.5 broke write transactions
 * ("mdb_page_touch no parent", every later write of that process failing) when several processes
 * opened a brand-new environment at the same moment; an environment created and closed before
 * anyone else opens it never did (0 of 320 processes, four at a time, against 4 of 240).
 */
export function initializeEnvironment(path: string, options: OpenHandleOptions): void {
  const db = openEnvironmentAt(path, options);
  let problem: string | null;
  try {
    problem = claim(db);
  } finally {
    // With no asynchronous write ever made, lmdb-js closes the environment before returning.
    void db.close();
  }
  if (problem !== null) throw new Error(`the new environment at ${path} is ${problem}`);
  if ((db as WithStatus).status !== 'closed')
    throw new Error(`the new environment at ${path} did not close at once`);
  // No other process sees the folder yet: its files are whole before anyone maps them.
  preallocateMapFiles(path);
}

/**
 * Opens (or shares) the environment at `envPath`; returns why not when it is not ours, and null
 * when its folder vanished or was replaced while it opened (another process's purge renamed it
 * away; see `pinFolder`): the caller looks for the folder again.
 */
export function acquireHandle(envPath: string, options: OpenHandleOptions): LmdbHandle | string | null {
  closeDetached();
  const shared = handles.get(envPath);
  if (shared !== undefined && shared.inode === dataFileInode(envPath)) {
    shared.refs += 1;
    return shared;
  }
  const folder = pinFolder(envPath);
  if (folder === null) return null;
  let db: CacheDb;
  let inode: number | undefined;
  try {
    db = openEnvironmentAt(folder.path, options);
    inode = dataFileInode(folder.path);
  } catch (error) {
    if (!folder.stillAt()) return null;
    throw error;
  } finally {
    folder.release();
  }
  // Renamed away meanwhile: what was opened is no one's cache any more (nor written: no claim).
  let problem: string | null;
  try {
    problem = folder.stillAt() ? claim(db) : null;
  } catch (error) {
    closeQuietly(db);
    throw error;
  }
  if (problem !== null) {
    closeQuietly(db);
    return problem;
  }
  if (!folder.stillAt() || inode === undefined) {
    closeQuietly(db);
    return null;
  }
  // An environment made by an earlier version, or whose map another process grew.
  preallocateMapFiles(envPath);
  const handle: LmdbHandle = {
    db,
    envPath,
    inode,
    writemap: options.volatile,
    refs: 1,
  };
  handles.set(envPath, handle);
  return handle;
}

/** lmdb-js closes asynchronously; nothing is pending (every write is synchronous), so nothing waits. */
function closeQuietly(db: CacheDb, then?: () => void): void {
  db.close()
    .then(then)
    .catch(() => undefined);
}

function forget(handle: LmdbHandle): void {
  if (handles.get(handle.envPath) === handle) handles.delete(handle.envPath);
}

/** Closes the idle environments whose folder was removed or replaced: none can be opened again. */
function closeDetached(): void {
  for (const handle of handles.values()) {
    if (handle.refs > 0 || dataFileInode(handle.envPath) === handle.inode) continue;
    forget(handle);
    closeQuietly(handle.db);
  }
}

/**
 * Drops one reference. The last one leaves the environment open and idle (see `LmdbHandle`),
 * unless its folder is to be removed: that one (an in-memory store's) is never opened again.
 */
export function releaseHandle(handle: LmdbHandle, removeFolder = false): void {
  handle.refs -= 1;
  if (handle.refs > 0) return;
  if (removeFolder) {
    forget(handle);
    closeQuietly(handle.db, () => rmSync(handle.envPath, { recursive: true, force: true }));
  } else closeDetached();
}
