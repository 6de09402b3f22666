import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { scratchFolders } from './__fixtures__/scratch-folders.js';
import { acquireHandle, initializeEnvironment, releaseHandle } from './lmdb-handle.js';
import { pinFolder } from './pinned-folder.js';
import { removeFolder } from './remove-folder.js';

const { cleanups, root, folderHolding } = scratchFolders();

describe('an environment folder pinned while it is opened', () => {
  it('can still be opened by a process that pinned it just before another process removed it', () => {
    const path = join(root(), 'env');
    mkdirSync(path);
    const pinned = pinFolder(path);
    if (pinned === null) throw new Error('the folder is there');
    cleanups.push(() => pinned.release());
    // Another process's purge, between this one's pin and its open.
    removeFolder(path);
    expect(existsSync(path)).toBe(false);
    // With the folder deleted, LMDB's open failed with ENOENT, and lmdb-js freed its environment
    // twice on that failure: this process died of SIGSEGV. Emptied and left, it opens (and is
    // found renamed away, so the caller closes it and looks again).
    const db = open(pinned.path, { encoding: 'binary' });
    expect(pinned.stillAt()).toBe(false);
    void db.close();
  });

  it('keeps naming the folder it pinned when another is renamed into its place', () => {
    const path = join(root(), 'env');
    folderHolding(path, 'first');
    const pinned = pinFolder(path);
    if (pinned === null) throw new Error('the folder is there');
    cleanups.push(() => pinned.release());
    expect(pinned.stillAt()).toBe(true);

    // Another process's purge: the folder renamed away, a new one renamed into its place.
    renameSync(path, `${path}.old-1`);
    folderHolding(`${path}.new-1`, 'second');
    renameSync(`${path}.new-1`, path);

    expect(pinned.stillAt()).toBe(false);
    // Where the platform lets a folder be named by its handle (Linux), both files come from it.
    if (pinned.path !== path) expect(readFileSync(join(pinned.path, 'which'), 'utf8')).toBe('first');
  });

  it('is none when the folder is gone, and the open makes no environment in its place', () => {
    const path = join(root(), 'env');
    expect(pinFolder(path)).toBeNull();
    // lmdb-js creates a missing folder, and LMDB a new environment in it, without a fingerprint.
    expect(acquireHandle(path, { volatile: false, mapSizeBytes: 1 << 20 })).toBeNull();
    expect(existsSync(path)).toBe(false);
  });

  it('opens the environment in a folder that stays in place', () => {
    const path = join(root(), 'env');
    mkdirSync(path);
    initializeEnvironment(path, { volatile: true, mapSizeBytes: 1 << 20 });
    const handle = acquireHandle(path, { volatile: true, mapSizeBytes: 1 << 20 });
    if (handle === null || typeof handle === 'string') throw new Error(`not opened: ${handle}`);
    cleanups.push(() => releaseHandle(handle));
    handle.db.putSync('key', Buffer.from('value'));
    expect(handle.db.getBinary('key')?.toString()).toBe('value');
    expect(handle.envPath).toBe(path);
  });
});
