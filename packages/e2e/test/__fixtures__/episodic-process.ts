import { type ChildProcess, spawn } from 'node:child_process';

export interface EpisodicProcess {
  child: ChildProcess;
  output(): string;
  /**
   * Resolves with the first match of `pattern` in stdout; rejects with all output if the process
   * exits first or nothing matches within `timeoutMs` (generous: start-up on a loaded machine).
   */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM to the process and its children, then the exit code once all output is in. */
  stop(): Promise<number | null>;
}

/**
 * Runs `command args` (an `episodic` CLI) in `cwd` as a real child process, in its own process
 * group: `npx` does not pass SIGTERM on to the CLI it starts, so `stop` signals the whole group.
 */
export function startProcess(command: string, args: string[], cwd: string): EpisodicProcess {
  const child = spawn(command, args, {
    cwd,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const waiter of waiters) waiter();
  });
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  // 'close', not 'exit': a grandchild holding the pipes may still be writing its last lines.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    output: () => `stdout: ${out}\nstderr: ${err}`,
    waitFor: (pattern, timeoutMs = 90_000) =>
      new Promise((resolve, reject) => {
        const fail = (why: string) => {
          if (!waiters.delete(check)) return;
          clearTimeout(timer);
          reject(
            new Error(
              `${command} ${args.join(' ')} ${why} before printing ${pattern}\nstdout: ${out}\nstderr: ${err}`,
            ),
          );
        };
        const check = () => {
          const match = pattern.exec(out);
          if (match === null) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(match);
        };
        const timer = setTimeout(() => fail(`took over ${timeoutMs} ms`), timeoutMs);
        waiters.add(check);
        check();
        void exited.then((code) => fail(`exited (${code})`));
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null)
        process.kill(-(child.pid as number), 'SIGTERM');
      return exited;
    },
  };
}
