import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/temp-store.js';
import { openMemory } from '../open-memory.js';

const opener = fileURLToPath(new URL('../__fixtures__/open-store.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
/** Root may read and write any file: as root, the store is opened by `nobody` instead. */
const asRoot = process.getuid?.() === 0;
const nobody = 65534;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** A store written by this process, then left to `mode`: its file, a user who is not its owner. */
async function storeWithMode(mode: number) {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  chmodSync(dir.path, 0o777);
  const path = join(dir.path, 'memory.db');
  const memory = await openMemory({ url: `file:${path}`, cache: false });
  await memory.episodes.start({ taskType: 'debugging', domain: 'web', context: 'a store' });
  await memory.close();
  // The WAL and shared memory stay beside the file once the store is closed: theirs too.
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, mode);
  // The folder of markers of the processes that have it open: another user's process adds its own.
  if (existsSync(`${path}.open`)) chmodSync(`${path}.open`, 0o777);
  return path;
}

interface Outcome {
  opened?: true;
  code?: string;
  message?: string;
  ok?: boolean;
  problems?: string[];
}

/** Opens (or verifies) the store in a child process, as `nobody` when this one is root. */
function asAnotherUser(
  path: string,
  command: 'open' | 'verify' | 'backup' = 'open',
  ...args: string[]
): Outcome {
  const child = spawnSync(process.execPath, ['--import', 'tsx', opener, `file:${path}`, command, ...args], {
    cwd: packageRoot,
    encoding: 'utf8',
    ...(asRoot ? { uid: nobody, gid: nobody, env: { ...process.env, HOME: '/tmp' } } : {}),
  });
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}');
}

const user = asRoot ? `uid ${nobody}` : `uid ${process.getuid?.()}`;

describe('a database file this process may not use', () => {
  it('is refused at open, naming its owner and mode, when it may be read but not written', async () => {
    // SQLite opened such a file read-only without a word: the server started, said healthy, and
    // answered every write 500.
    const path = await storeWithMode(0o444);
    const result = asAnotherUser(path);
    expect(result.code).toBe('STORAGE');
    expect(result.message).toContain(
      `${path} cannot be read and written by this process (${user}): it belongs to uid ${process.getuid?.()}, mode 0444`,
    );
  }, 60_000);

  it('is refused at open, naming its owner, when it may not be read either (a restore run as root)', async () => {
    const path = await storeWithMode(0o600);
    if (!asRoot) chmodSync(path, 0o200);
    const result = asAnotherUser(path);
    expect(result.code).toBe('STORAGE');
    expect(result.message).toMatch(
      /memory\.db cannot be read and written by this process .*: it belongs to uid \d+, mode 0[26]00\. Give it to the user that runs Episodic/,
    );
  }, 60_000);

  it('is refused at open as a folder when the path names one, with the file to give instead', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const error = await openMemory({ url: `file:${dir.path}/`, cache: false }).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      code: 'STORAGE',
      message: `Cannot open the database at file:${dir.path}/: ${dir.path} is a folder: give the path of the database file (e.g. ${dir.path}/memory.db).`,
    });
  });

  it('is a problem in the report of verify, not an error with a stack', async () => {
    const path = await storeWithMode(0o600);
    if (!asRoot) chmodSync(path, 0o200);
    const report = asAnotherUser(path, 'verify');
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.stringMatching(/memory\.db cannot be read by this process .*: it belongs to uid \d+/),
    ]);
  }, 60_000);

  it('refuses a backup into a folder it may not write, naming the folder and its owner', async () => {
    const path = await storeWithMode(0o666);
    const folder = join(path, '..', 'backups');
    mkdirSync(folder, { mode: asRoot ? 0o755 : 0o555 });
    const result = asAnotherUser(path, 'backup', join(folder, 'b.db'));
    expect(result.code).toBe('VALIDATION');
    expect(result.message).toMatch(
      /^Cannot write the backup .*backups\/b\.db: .*backups cannot be written by this process .*: it belongs to uid \d+, mode 0[57]55\./,
    );
  }, 60_000);
});
