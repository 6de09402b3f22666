import { type ChildProcess, spawn } from 'node:child_process';
import { episodicMcp } from './bin.js';

export interface McpProcess {
  child: ChildProcess;
  /** The Streamable HTTP endpoint the process printed. */
  url: string;
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `episodic-mcp --http` and waits until it says where it listens. */
export async function spawnHttpMcp(args: string[], env: Record<string, string>): Promise<McpProcess> {
  const child = spawn(process.execPath, [episodicMcp, '--http', '--port', '0', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /over Streamable HTTP at (http:\/\/\S+)/.exec(err);
      if (match !== null) resolve(match[1] as string);
    });
    void exited.then((code) =>
      reject(new Error(`episodic-mcp exited with ${code} before listening: ${err}`)),
    );
  });
  return {
    child,
    url,
    stderr: () => err,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
