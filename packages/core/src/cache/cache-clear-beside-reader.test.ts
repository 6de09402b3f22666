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
      resolve(`${signal ?? `exit ${code}`}: ${stderr.slice(-300)}`);
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(String(message));
    });
  });
}

// Each step is a process of its own started from source: room for a loaded machine.
describe('clearing the cache while another process holds a read snapshot', { timeout: 120_000 }, () => {
  it('finishes a repair (as beside a live server), where deleting every entry at once aborted the process', async () => {
    const { path: dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = start('repair-store.ts', [`file:${join(dir, 'memory.db')}`, '300']);
    expect(await next(store)).toBe('opened');
    const holder = start('snapshot-holder.ts', [join(dir, 'cache')]);
    expect(await next(holder)).toBe('holding');
    // Every page freed from here on is newer than the held snapshot: none can be reused.
    store.send('fill');
    expect(await next(store)).toBe('filled');
    // Before, it deleted every entry in one transaction, and died of it:
    // "Assertion 'x <= dl[0].mid' failed in mdb_freelist_save()", SIGABRT.
    store.send('repair');
    expect(await next(store)).toBe('repaired');
  });
});
