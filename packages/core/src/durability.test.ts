import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './__fixtures__/temp-store.js';
import { openMemory } from './open-memory.js';

const writer = fileURLToPath(new URL('./__fixtures__/durable-writer.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

interface Acknowledged {
  steps: number;
  completed: boolean;
}

/** Runs the writer until it has acknowledged `minimum` writes, then SIGKILLs it mid-stream. */
function writeThenKill(url: string, minimum: number): Promise<Map<string, Acknowledged>> {
  const acknowledged = new Map<string, Acknowledged>();
  const child = spawn(process.execPath, ['--import', 'tsx', writer, url], {
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let count = 0;
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [, kind, id, steps] = line.split(' ');
        if (id === undefined) continue;
        const state = acknowledged.get(id) ?? { steps: 0, completed: false };
        if (kind === 'steps') state.steps = Number(steps);
        if (kind === 'complete') state.completed = true;
        acknowledged.set(id, state);
        count += 1;
      }
      if (count >= minimum && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve(acknowledged) : reject(new Error(`writer exited ${code}: ${stderr}`)),
    );
  });
}

describe('durability', () => {
  it('keeps every acknowledged write when the writing process is SIGKILLed', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const url = `file:${dir.path}/memory.db`;

    const acknowledged = await writeThenKill(url, 150);
    expect(acknowledged.size).toBeGreaterThan(10);

    const raw = createClient({ url });
    expect((await raw.execute('PRAGMA integrity_check')).rows[0]?.integrity_check).toBe('ok');
    raw.close();
    const memory = await openMemory({ url });
    try {
      for (const [id, state] of acknowledged) {
        const episode = await memory.episodes.get(id);
        expect(episode, `acknowledged episode ${id}`).not.toBeNull();
        expect(episode!.steps.length).toBeGreaterThanOrEqual(state.steps);
        if (state.completed) expect(episode!.status).toBe('completed');
      }
    } finally {
      await memory.close();
    }
  }, 60_000);
});
