import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testLocalDriver } from '../__fixtures__/temp-store.js';
import { openMemory } from '../open-memory.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStore(path: string, warnings: string[] = []) {
  const memory = await openMemory({
    url: `file:${path}`,
    cache: false,
    localDriver: testLocalDriver,
    logger: { warn: (message) => warnings.push(message) },
  });
  cleanups.push(() => memory.close());
  return memory;
}

const start = (memory: Awaited<ReturnType<typeof openStore>>, context: string) =>
  memory.episodes.start({ taskType: 'debugging', domain: 'web', context });

describe('a database file deleted or replaced under an open store', () => {
  it.each([
    [
      'deleted',
      'was deleted',
      (path: string) => ['', '-wal', '-shm'].forEach((end) => rmSync(`${path}${end}`, { force: true })),
    ],
    [
      'replaced',
      'was replaced by another file',
      (path: string, dir: string) => renameSync(join(dir, 'other.db'), path),
    ],
  ])('refuses writes once %s, naming what happened, and keeps reading', async (_, what, change) => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const path = join(dir.path, 'memory.db');
    await (await openStore(join(dir.path, 'other.db'))).close();
    const warnings: string[] = [];
    const memory = await openStore(path, warnings);
    const before = await start(memory, 'written before');
    const token = await memory.tokens.create({ name: 'agent', scopes: ['read'] });
    expect(memory.admin.lostDatabaseFile()).toBeNull();

    change(path, dir.path);
    // Said before any write is attempted: what a health check asks.
    expect(memory.admin.lostDatabaseFile()).toBe(
      `The database file ${path} ${what} while this process had it open: nothing more is written to it (it would be lost when the process stops). Stop every process using it, then restore a backup (episodic restore) or start again on the new file.`,
    );
    // Without the check this was stored and acknowledged, into a file nobody opens again.
    await expect(start(memory, 'written after')).rejects.toMatchObject({
      name: 'EpisodicError',
      code: 'STORAGE',
      message: `The database file ${path} ${what} while this process had it open: nothing more is written to it (it would be lost when the process stops). Stop every process using it, then restore a backup (episodic restore) or start again on the new file.`,
    });
    await expect(start(memory, 'and again')).rejects.toMatchObject({ code: 'STORAGE' });
    expect(warnings.filter((line) => line.includes('while this process had it open'))).toHaveLength(1);
    expect((await memory.episodes.get(before.id))?.context).toBe('written before');
    // A token is still verified: its last-used time, written without waiting, is refused
    // quietly (the refusal once escaped as a synchronous throw, failing every verification).
    expect(await memory.tokens.verify(token.bearer)).toMatchObject({ id: token.token.id });
  });
});
