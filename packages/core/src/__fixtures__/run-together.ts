import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs `script` (a fixture that prints `ready`, waits for a line on stdin, does its work and
 * prints one line of JSON) in one process per argument list, lets them all begin at once once
 * every one is loaded, and returns what each printed. No bound on start-up: a busy machine takes
 * its time loading them, and the point is that their work overlaps.
 */
export async function runTogether(script: string, argumentLists: string[][]): Promise<unknown[]> {
  const children = argumentLists.map((args) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: packageRoot,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // A process ended by a signal says which (`SIGSEGV`): a bare `null` told nothing of a crash.
    const exited = new Promise<number | string>((resolve) =>
      child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    );
    return { child, output: () => output, exited };
  });
  await expect
    .poll(() => children.every(({ output }) => output().startsWith('ready\n')), {
      timeout: 240_000,
      interval: 50,
    })
    .toBe(true);
  for (const { child } of children) child.stdin.write('go\n');
  const codes = await Promise.all(children.map(({ exited }) => exited));
  expect(codes).toEqual(children.map(() => 0));
  return children.map(({ output }) => JSON.parse(output().split('\n')[1] ?? 'null'));
}
