import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { openMemory } from '../open-memory.js';
import { startAtWalBytes } from './background-checkpoints.js';
import { type Database, openDatabase } from './database.js';

const dirs: { cleanup: () => void }[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.cleanup();
});

function scratchFile(): string {
  const folder = tempStoreFolder();
  dirs.push(folder);
  return folder.path;
}

const size = (path: string) => statSync(path).size;

/** About 1.8 MB in 60 commits: past `startAtWalBytes`, below SQLite's own 1,000-page checkpoint. */
async function writeMegabytes(db: Database): Promise<void> {
  await db.write((tx) => tx.execute('CREATE TABLE scratch (body TEXT NOT NULL)'));
  for (let i = 0; i < 60; i += 1) {
    await db.write((tx) =>
      tx.execute({ sql: 'INSERT INTO scratch (body) VALUES (?)', args: [`${i}`.padEnd(30_000, 'x')] }),
    );
  }
}

describe('background checkpoints', () => {
  it('copy the WAL into the database file from a worker once it grows, and only then', async () => {
    const path = scratchFile();
    const warnings: string[] = [];
    const db = await openDatabase({
      url: `file:${path}`,
      busyTimeoutMs: 1000,
      synchronous: 'normal',
      logger: { warn: (message) => warnings.push(message) },
    });
    try {
      await writeMegabytes(db);
      expect(size(`${path}-wal`)).toBeGreaterThan(startAtWalBytes);
      // Nothing on this thread checkpointed (the WAL is under SQLite's threshold): the worker does.
      await vi.waitFor(() => expect(size(path)).toBeGreaterThan(1_500_000), {
        timeout: 30_000,
        interval: 50,
      });
    } finally {
      await db.close();
    }
    // Every checkpoint succeeded (a failure is logged), and the worker closed without a word.
    expect(warnings).toEqual([]);

    // The same writes without the worker leave the database file as it was: the check above can fail.
    const control = scratchFile();
    const plain = await openDatabase({
      url: `file:${control}`,
      busyTimeoutMs: 1000,
      synchronous: 'normal',
      backgroundCheckpoints: false,
    });
    try {
      await writeMegabytes(plain);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(size(control)).toBeLessThan(100_000);
    } finally {
      await plain.close();
    }
  });

  it('open the encrypted file with its key, and close before the store does', async () => {
    const path = scratchFile();
    const url = `file:${path}`;
    const memory = await openMemory({ url, cache: false, encryptionKey: 'background-key-16+' });
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    const steps = Array.from({ length: 60 }, (_, i) => ({
      action: `read_file ${i}`,
      result: `SECRET-${i} `.repeat(3000),
    }));
    for (const step of steps) await memory.episodes.logSteps(episode.id, [step]);
    await vi.waitFor(() => expect(size(path)).toBeGreaterThan(1_000_000), { timeout: 30_000, interval: 50 });
    await memory.close();
    expect(readFileSync(path).includes('SECRET-')).toBe(false);

    // Closed for good: the file is whole, encrypted, and holds every step.
    const reopened = await openMemory({ url, cache: false, encryptionKey: 'background-key-16+' });
    try {
      expect((await reopened.episodes.get(episode.id))?.steps).toHaveLength(60);
    } finally {
      await reopened.close();
    }
    await expect(openMemory({ url, cache: false })).rejects.toMatchObject({ code: 'STORAGE' });
  });

  it('let a process whose last task is closing the store finish closing it', async () => {
    const script = fileURLToPath(new URL('../__fixtures__/write-then-close.ts', import.meta.url));
    const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
    const path = scratchFile();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', script, `file:${path}`],
      { cwd: packageRoot },
    );
    expect(stdout).toBe('closed\n');
    expect(size(path)).toBeGreaterThan(1_000_000);
  });
});
