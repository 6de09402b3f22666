import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs a writer script (through tsx, with `args`), hands each line it prints to `onLine`, and
 * SIGKILLs it as soon as `onLine` returns true: mid-stream, as a crash would. Resolves once it is
 * dead; rejects if it exited on its own.
 */
export function killAfter(script: string, args: string[], onLine: (line: string) => boolean): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      let enough = false;
      for (const line of lines) enough = onLine(line) || enough;
      if (enough && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited ${code}: ${stderr}`)),
    );
  });
}
