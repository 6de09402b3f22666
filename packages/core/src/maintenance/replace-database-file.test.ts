import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/temp-store.js';
import { openMemory } from '../open-memory.js';
import { beginReplacement } from './replace-database-file.js';
import { verifyDatabase } from './verify-database.js';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

/** Runs a fixture through tsx; with `dieAt` (`renameSync:3`), SIGKILLed right after that call. */
function child(script: string, args: string[], dieAt?: string) {
  const preload = dieAt === undefined ? [] : ['--import', pathToFileURL(fixture('die-at-call.ts')).href];
  const process_ = spawn(process.execPath, ['--import', 'tsx', ...preload, fixture(script), ...args], {
    cwd: packageRoot,
    env: { ...process.env, EPISODIC_DIE_AT: dieAt ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  process_.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ killed: boolean; stdout: string }>((resolve, reject) =>
    process_.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true, stdout });
      else if (code === 0) resolve({ killed: false, stdout });
      else reject(new Error(`${script} exited ${code}: ${stderr}`));
    }),
  );
}

async function contexts(path: string, encryptionKey?: string) {
  const warnings: string[] = [];
  const memory = await openMemory({
    url: `file:${path}`,
    encryptionKey,
    cache: false,
    logger: { warn: (message) => warnings.push(message) },
  });
  try {
    const found = (await memory.episodes.list({ limit: 100 })).items.map((episode) => episode.context);
    return { found: found.sort(), warnings };
  } finally {
    await memory.close();
  }
}

const root = tempDir();
afterAll(root.cleanup);
const oldStore = join(root.path, 'old');
const backup = join(root.path, 'backup.db');
const oldContexts = ['LAST COMMIT, in the WAL', 'old 0', 'old 1'];
const backupContexts = ['in the backup 0', 'in the backup 1'];

beforeAll(async () => {
  const path = join(oldStore, 'memory.db');
  const memory = await openMemory({ url: `file:${path}`, cache: false });
  for (const i of [0, 1])
    await memory.episodes.start({ taskType: 'testing', domain: 'd', context: `old ${i}` });
  await memory.close();
  // A process killed right after a write: its commit is in the WAL only, which a swap moves too.
  await child('write-and-die.ts', [`file:${path}`, 'LAST COMMIT, in the WAL']);
  expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
  const source = await openMemory({ url: `file:${join(root.path, 'source.db')}`, cache: false });
  for (const i of [0, 1])
    await source.episodes.start({ taskType: 'testing', domain: 'd', context: `in the backup ${i}` });
  await source.admin.backup(backup);
  await source.close();
});

let copies = 0;
/** A copy of the old store's folder (file, WAL, shared memory), as a killed writer left it. */
function copyOfOldStore(): string {
  const folder = join(root.path, `copy-${copies++}`);
  mkdirSync(folder);
  for (const name of ['memory.db', 'memory.db-wal', 'memory.db-shm'])
    if (existsSync(join(oldStore, name))) copyFileSync(join(oldStore, name), join(folder, name));
  return join(folder, 'memory.db');
}

/** What a run left beside the store: staging copies, replaced files, the journal. */
const leftovers = (path: string) =>
  readdirSync(join(path, '..')).filter((name) => /before-|restoring|rekeying|replacing/.test(name));

describe('a restore or rekey killed part-way', { timeout: 300_000 }, () => {
  it('is finished by the next open once the swap began: the new store, never none or the old file without its WAL', async () => {
    for (const [operation, argument, key, now] of [
      ['restore', backup, undefined, backupContexts],
      ['rekey', 'the new key, 16 characters', 'the new key, 16 characters', oldContexts],
    ] as const) {
      // Every file move of the swap in turn (journal, WAL, shared memory, file, staging file),
      // until a run gets through all of them.
      for (let n = 1; ; n += 1) {
        const path = copyOfOldStore();
        const run = await child('replace-child.ts', [operation, path, argument], `renameSync:${n}`);
        // `verify` changes nothing: before the next open it reports the swap left to finish (it
        // reported "no database file" or the replaced file as sound).
        const verified = await verifyDatabase(path, { encryptionKey: key });
        if (run.killed)
          expect(verified.problems, `${operation} killed after rename ${n}`).toEqual([
            expect.stringMatching(
              /^a (restore|rekey) of .+ was stopped while it swapped the files: the store is the (restored|rekeyed) database, not what is at this path now/,
            ),
          ]);
        else expect(verified).toMatchObject({ ok: true, problems: [] });
        const { found, warnings } = await contexts(path, key);
        expect(found, `${operation} killed after rename ${n}`).toEqual(now);
        expect(leftovers(path)).toEqual([]);
        if (!run.killed) {
          expect(run.stdout).toContain('done');
          expect(n).toBeGreaterThanOrEqual(5);
          break;
        }
        expect(warnings).toEqual([
          expect.stringMatching(
            new RegExp(
              `^Found a ${operation} of ${path} \\(pid \\d+, started .+\\) that was stopped while it swapped the files, and finished it: ${path} is the .+; the replaced file was deleted\\.$`,
            ),
          ),
        ]);
      }
    }
  });

  it('is undone by the next open while it still copied: the store as it was, its partial copy removed', async () => {
    for (const [operation, argument, dieAt] of [
      ['restore', backup, 'copyFileSync:1'],
      ['rekey', 'the new key, 16 characters', 'linkSync:1'],
    ] as const) {
      const path = copyOfOldStore();
      expect((await child('replace-child.ts', [operation, path, argument], dieAt)).killed).toBe(true);
      expect(await verifyDatabase(path)).toMatchObject({ ok: true, counts: { episodes: 3 } });
      const { found, warnings } = await contexts(path);
      expect(found).toEqual(oldContexts);
      expect(warnings).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Found a ${operation} of ${path} \\(pid \\d+, started .+\\) that was stopped before it replaced anything: the store is as it was, and its partial copy ${path}\\.${operation === 'restore' ? 'restoring' : 'rekeying'} was removed\\. Run it again\\.$`,
          ),
        ),
      ]);
      expect(leftovers(path)).toEqual([]);
    }
  });
});

describe('a replacement under way', () => {
  it('refuses every open of the file until it ends', async () => {
    const path = copyOfOldStore();
    const replacement = beginReplacement(path, {
      operation: 'restore',
      staging: `${path}.restoring`,
      keepOld: false,
      cachePath: undefined,
    });
    await expect(openMemory({ url: `file:${path}`, cache: false })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(
        new RegExp(
          `^Refusing to open ${path}: a restore of ${path} \\(pid ${process.pid}, started .+\\) is replacing it\\. Wait until it ends\\.$`,
        ),
      ),
    });
    replacement.abandon();
    expect((await contexts(path)).found).toEqual(oldContexts);
  });
});
