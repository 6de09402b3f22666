import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { databasePresenceFolder } from '../db/presence.js';
import { openMemory } from '../open-memory.js';
import { rekeyDatabase } from './rekey-database.js';
import { restoreDatabase } from './restore-database.js';

const holder = fileURLToPath(new URL('../__fixtures__/hold-open.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** A store holding one episode, and (a backup is one file, no WAL beside it) its backup. */
async function storeWithEpisode(path: string, context: string, backup?: string): Promise<void> {
  const memory = await openMemory({ url: `file:${path}`, cache: false });
  await memory.episodes.start({ taskType: 'testing', domain: 'd', context });
  if (backup !== undefined) await memory.admin.backup(backup);
  await memory.close();
}

/** Another process that opens the store with `openMemory` and keeps it open. */
async function holdOpen(path: string): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', holder, `file:${path}`], {
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  const exited = new Promise((done) => child.once('exit', done));
  await new Promise<void>((done, fail) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('open') && done());
    void exited.then(() => fail(new Error('the holder exited before it opened the store')));
  });
  return { child, exited };
}

async function contexts(path: string): Promise<(string | null)[]> {
  const memory = await openMemory({ url: `file:${path}`, cache: false });
  const { items } = await memory.episodes.list();
  await memory.close();
  return items.map((episode) => episode.context);
}

describe('restore, rekey and reindex beside another process that has the file open', () => {
  it('refuse, naming the process, and go ahead once it is gone (its marker left by a kill is removed)', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const path = join(dir.path, 'memory.db');
    const backup = join(dir.path, 'backup.db');
    await storeWithEpisode(path, 'the live store');
    await storeWithEpisode(join(dir.path, 'other.db'), 'the backup', backup);
    const { child, exited } = await holdOpen(path);
    const named = new RegExp(`is open in a running process: pid ${child.pid} \\(node .*hold-open\\.ts file:`);

    await expect(restoreDatabase({ path, from: backup })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(named),
    });
    await expect(
      rekeyDatabase({ path, newEncryptionKey: 'a new key, 16 chars or more' }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(named),
    });
    const memory = await openMemory({ url: `file:${path}`, cache: false });
    const embeddings = createTestEmbeddings({ dimensions: 32 });
    await expect(memory.admin.reindex(embeddings.provider)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/Stop the servers, workers and scripts using it first/),
    });
    expect(await contexts(path)).toEqual(['the live store']);

    // Killed, it never closed: its marker names a dead process, which no longer counts.
    child.kill('SIGKILL');
    await exited;
    expect(readdirSync(databasePresenceFolder(path)).some((name) => name.startsWith(`${child.pid}-`))).toBe(
      true,
    );
    // This store's own marker does not stop it reindexing.
    expect(await memory.admin.reindex(embeddings.provider)).toMatchObject({ embedded: 0 });
    await memory.close();
    await restoreDatabase({ path, from: backup });
    expect(await contexts(path)).toEqual(['the backup']);
    expect(readdirSync(databasePresenceFolder(path))).toEqual([]);
    expect(
      (await rekeyDatabase({ path, newEncryptionKey: 'a new key, 16 chars or more' })).rows.episodes,
    ).toBe(1);
  }, 120_000);

  it('counts a store this process still has open: the caller of restore holds no handle of its own', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const path = join(dir.path, 'memory.db');
    await storeWithEpisode(join(dir.path, 'other.db'), 'the backup', join(dir.path, 'backup.db'));
    const memory = await openMemory({ url: `file:${path}`, cache: false });
    await expect(restoreDatabase({ path, from: join(dir.path, 'backup.db') })).rejects.toThrow(
      `pid ${process.pid} (this process)`,
    );
    await memory.close();
    await restoreDatabase({ path, from: join(dir.path, 'backup.db') });
  });
});
