import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Cleanups } from './learning-store.js';

const packageRoot = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Another process on the store: `script` (a fixture of this folder) run from source through tsx,
 * with an IPC channel, killed by `cleanups`. It starts slowly on a loaded machine: wait for what
 * it says, not for a fixed time.
 */
export function forkFromSource(
  script: string,
  args: string[],
  cleanups: Cleanups,
): { child: ChildProcess; exited: Promise<void> } {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    cwd: packageRoot,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  return { child, exited };
}
