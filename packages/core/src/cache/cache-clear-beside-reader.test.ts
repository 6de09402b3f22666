import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/temp-store.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function start(script: string, args: string[]): ChildProcess {
  const child = fork(join(fixtures, script), args, {
    cwd: packageRoot,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  children.push(child);
  return child;
}

/** The child's next message, or how it ended (`exit 1`, `SIGABRT`) with the end of its stderr. */
function next(child: ChildProcess): Promise<string> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const onExit = (code: number | null, signal: string | null) =>
      resolve(`${signal ?? `exit ${code}`}: ${stderr.slice(-1500)}`);
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(String(message));
    });
  });
}

/** A store in one process, filled, while another process holds a read snapshot of its cache. */
async function storeBesideReader(): Promise<ChildProcess> {
  const { path: dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const store = start('clearing-store.ts', [`file:${join(dir, 'memory.db')}`, '300']);
  expect(await next(store)).toBe('opened');
  const holder = start('snapshot-holder.ts', [join(dir, 'cache')]);
  expect(await next(holder)).toBe('holding');
  // Every page freed from here on is newer than the held snapshot: none can be reused.
  store.send('fill');
  expect(await next(store)).toBe('filled');
  return store;
}

// Each step is a process of its own started from source: room for a loaded machine. Before
// each fix the store's process died: "Assertion 'x <= dl[0].mid' failed in mdb_freelist_save()",
// SIGABRT (a commit freeing a page it wrote itself, through LMDB's writable map).
describe('removing cached entries while another process holds a read snapshot', { timeout: 120_000 }, () => {
  it.each([
    ['repair', 'a repair (as beside a live server), which deleted every entry at once (fixed in session 45)'],
    ['forget', 'a forget, which clears the cache until its purge: it deleted every entry at once'],
    ['archive', 'writes that each remove one entry (300 archives): deleting them one by one aborted too'],
  ])('finishes %s: %s', async (operation) => {
    const store = await storeBesideReader();
    store.send(operation);
    expect(await next(store)).toBe(operation);
    store.send('close');
    expect(await next(store)).toBe('closed');
  });
});
