import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/temp-store.js';
import { openMemory } from '../open-memory.js';
import { restoreDatabase } from './restore-database.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function contexts(path: string): Promise<string[]> {
  const memory = await openMemory({ url: `file:${path}`, cache: false });
  try {
    return (await memory.episodes.list()).items.map((episode) => episode.context ?? '');
  } finally {
    await memory.close();
  }
}

/** A closed store, as a backup to restore from; `viaBackup` takes it with `admin.backup` (one file, no WAL). */
async function storeFile(path: string, context: string, viaBackup = false): Promise<string> {
  const source = viaBackup ? `${path}.source` : path;
  const memory = await openMemory({ url: `file:${source}`, cache: false });
  await memory.episodes.start({ taskType: 'testing', domain: 'd', context });
  if (viaBackup) await memory.admin.backup(path);
  await memory.close();
  return path;
}

describe('restore', () => {
  it('restores the commits a closed store file keeps in its WAL, as verified', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const backup = await storeFile(join(dir.path, 'copy-of-a-store.db'), 'in the backup');
    const path = join(dir.path, 'memory.db');
    const report = await restoreDatabase({ path, from: backup });
    expect([report.ok, report.counts.episodes]).toEqual([true, 1]);
    expect(await contexts(path)).toEqual(['in the backup']);
  });

  it('restores the backup exactly, whatever staging file and WAL an earlier, killed run left behind', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const path = join(dir.path, 'memory.db');
    const backup = await storeFile(join(dir.path, 'backup.db'), 'in the backup', true);

    // An earlier restore of another backup, killed while it wrote its staging copy: the copy and
    // its WAL (uncheckpointed pages) stay under the staging name.
    const other = await storeFile(join(dir.path, 'other.db'), 'another store');
    const staging = `${path}.restoring`;
    copyFileSync(other, staging);
    copyFileSync(`${other}-wal`, `${staging}-wal`);
    const crashed = createClient({ url: `file:${staging}` });
    await crashed.execute('PRAGMA wal_autocheckpoint = 0');
    await crashed.execute("UPDATE episodes SET context = 'STALE-STAGING-PAGES'");
    copyFileSync(`${staging}-wal`, join(dir.path, 'left-wal'));
    crashed.close();
    copyFileSync(join(dir.path, 'left-wal'), `${staging}-wal`);

    const report = await restoreDatabase({ path, from: backup });
    expect(report.ok).toBe(true);
    expect(await contexts(path)).toEqual(['in the backup']);
    expect([existsSync(staging), existsSync(`${staging}-wal`)]).toEqual([false, false]);
  });
});
