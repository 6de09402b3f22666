import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { killAfter } from './__fixtures__/kill-after.js';
import { tempDir } from './__fixtures__/temp-store.js';
import { openMemory } from './open-memory.js';

const writer = fileURLToPath(new URL('./__fixtures__/durable-writer.ts', import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

interface Acknowledged {
  steps: number;
  completed: boolean;
}

/** Runs the writer until it has acknowledged `minimum` writes, then SIGKILLs it mid-stream. */
async function writeThenKill(url: string, minimum: number): Promise<Map<string, Acknowledged>> {
  const acknowledged = new Map<string, Acknowledged>();
  let count = 0;
  await killAfter(writer, [url], (line) => {
    const [, kind, id, steps] = line.split(' ');
    if (id === undefined) return false;
    const state = acknowledged.get(id) ?? { steps: 0, completed: false };
    if (kind === 'steps') state.steps = Number(steps);
    if (kind === 'complete') state.completed = true;
    acknowledged.set(id, state);
    count += 1;
    return count >= minimum;
  });
  return acknowledged;
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
