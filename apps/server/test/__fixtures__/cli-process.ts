import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';

const source = fileURLToPath(new URL('../../src', import.meta.url));
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * The built CLI, as users run it. Starting it through tsx instead compiles the whole server in every
 * child, which took twice as long on a busy machine and pushed multi-command tests past their
 * timeouts. `pnpm test` builds first (turbo); a hand-run vitest on stale output is refused here.
 */
let checked = false;
function builtCli(): string {
  // Once per test file: every spawn would otherwise walk the whole source tree again.
  if (checked) return cli;
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  const newer = readdirSync(source, { recursive: true, withFileTypes: true }).find(
    (entry) =>
      entry.isFile() &&
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.test.ts') &&
      !entry.parentPath.includes('__fixtures__') &&
      statSync(join(entry.parentPath, entry.name)).mtimeMs > built,
  );
  if (newer !== undefined)
    throw new Error(
      `${cli} is missing or older than src/${join(newer.parentPath, newer.name).slice(source.length + 1)}: run \`pnpm --filter @episodic/server build\` (\`pnpm test\` builds first).`,
    );
  checked = true;
  return cli;
}

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout, failing if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

/** Runs the real, built `episodic` CLI in a child process (in `cwd`, default this process's). */
export function spawnCli(args: string[], env: Record<string, string> = {}, cwd?: string): CliProcess {
  const child = spawn(process.execPath, [builtCli(), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd,
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(out);
          if (match === null) return;
          listeners.delete(check);
          resolve(match);
        };
        listeners.add(check);
        check();
        void exited.then(() => {
          if (!listeners.has(check)) return;
          listeners.delete(check);
          reject(new Error(`CLI exited before printing ${pattern}; stdout: ${out}; stderr: ${err}`));
        });
      }),
  };
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], env: Record<string, string> = {}) {
  const process = spawnCli(args, env);
  const code = await process.exited;
  return { code, stdout: process.stdout(), stderr: process.stderr() };
}

/** Stops a CLI process with SIGTERM, as an operator does, and expects a clean exit. */
export async function stopCli(process: CliProcess): Promise<void> {
  process.child.kill('SIGTERM');
  expect(await process.exited).toBe(0);
}

/**
 * `spawnCli` for a test file whose processes outlive a test: whatever is still running after the
 * file's tests (a failed test left it) is killed. Call at the file's top level.
 */
export function trackedCli(): (args: string[], env?: Record<string, string>, cwd?: string) => CliProcess {
  const running: CliProcess[] = [];
  afterAll(async () => {
    for (const process of running) process.child.kill('SIGKILL');
    await Promise.all(running.map((process) => process.exited));
  });
  return (args, env, cwd) => {
    const process = spawnCli(args, env, cwd);
    running.push(process);
    return process;
  };
}
