import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Memory } from '@episodic/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { openServingStore } from '../src/store/open-serving-store.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-learning-stall-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A config file whose miner computes for ever, without a pause, on an episode whose context says
 * "spin" (as a regular expression backtracking without end would): nothing inside its thread
 * can stop it. Every other episode gives it one pattern.
 */
function project(name: string, learning: Record<string, number>): string {
  const dir = join(root, name);
  const file = join(dir, 'episodic.config.mjs');
  mkdirSync(dir);
  writeFileSync(
    file,
    `const anything = { '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value }) } };
export default {
  dataDir: './data',
  embeddings: 'none',
  miners: ['tool_sequence', {
    specificationVersion: 'v1',
    patternType: 'spinner',
    dataSchema: anything,
    mine({ episode, succeeded }) {
      if (episode.context.includes('spin')) for (;;) {}
      return [{ data: { kind: 'seen' }, success: succeeded }];
    },
  }],
  memory: { learning: ${JSON.stringify(learning)} },
};
`,
  );
  return file;
}

async function serve(file: string) {
  const lines: string[] = [];
  const memory = await openServingStore(await loadConfig({ flags: { config: file }, env: {} }), (line) =>
    lines.push(line),
  );
  return { memory, lines };
}

async function finished(memory: Memory, context: string): Promise<string> {
  const { id } = await memory.episodes.start({ taskType: 'debugging', domain: 'shop', context });
  await memory.episodes.logSteps(id, [
    { action: 'npm test', result: 'failed', success: false },
    { action: 'edit_file src/cart.ts', success: true },
    { action: 'npm test', result: 'passed', success: true },
  ]);
  await memory.episodes.complete(id, { status: 'completed' });
  return id;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  let value = await read();
  for (const deadline = Date.now() + ms; !done(value) && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

// The learning thread starts a second copy of the server's modules (from source, through tsx):
// slow on a loaded machine.
describe('a miner that computes without a pause in the learning thread', { timeout: 180_000 }, () => {
  it('is stopped with its name and episode said, and every other episode is still learned', async () => {
    // The stall limit is mineTimeoutMs and as much again: 6 s. A short lease lets the batch the
    // stopped thread held be taken again soon.
    const { memory, lines } = await serve(project('learns-on', { mineTimeoutMs: 3000, leaseMs: 2000 }));
    try {
      await finished(memory, 'Cart total wrong');
      const stuck = await finished(memory, 'spin on this one');
      await finished(memory, 'Checkout fails');
      const spinner = await until(
        async () => (await memory.patterns.list({ type: 'spinner' })).items[0]?.support ?? 0,
        (support) => support === 2,
        120_000,
      );
      expect(spinner).toBe(2);
      const said = lines.join('\n');
      expect(said).toContain(`miner spinner in mine() on episode ${stuck}. It was stopped;`);
      expect(said).toContain('skips that miner on that episode');
      // The stuck episode was learned too, by the other miner, and nothing is left failed.
      const status = await until(
        () => memory.learning.status(),
        (current) => current.pending === 0,
        60_000,
      );
      expect(status).toMatchObject({ pending: 0, failed: 0, running: true });
      // The skipped call is counted as that miner failing on that episode, where an operator looks.
      expect(status.learners.mining?.partFailures.spinner?.last).toMatchObject({
        episodeId: stuck,
        error: expect.stringContaining('skipped on this episode'),
      });
      const sequences = await memory.patterns.list({ type: 'tool_sequence' });
      expect(Math.max(...sequences.items.map((pattern) => pattern.support ?? 0))).toBe(3);
    } finally {
      await memory.close();
    }
  });

  it('does not keep a closing server waiting for ever', async () => {
    // Limit 70 s: the close must not wait for it.
    const { memory } = await serve(project('closes', { mineTimeoutMs: 60_000 }));
    await finished(memory, 'spin here');
    // Until the miner is in its loop: the thread no longer answers.
    await until(
      () =>
        Promise.race([
          memory.learning.status().then(() => false),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 3000)),
        ]),
      (silent) => silent,
      60_000,
    );
    const started = Date.now();
    await memory.close();
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('takes a wall clock set forward for no stall', async () => {
    const { memory, lines } = await serve(project('clock-step', { mineTimeoutMs: 3000 }));
    try {
      await finished(memory, 'Cart total wrong');
      await until(
        () => memory.learning.status(),
        (current) => current.pending === 0,
        120_000,
      );
      // NTP corrections forward, ten minutes at a time, through several of the watchdog's checks.
      vi.useFakeTimers({ toFake: ['Date'] });
      for (let step = 0; step < 40; step += 1) {
        vi.setSystemTime(Date.now() + 600_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      vi.useRealTimers();
      await finished(memory, 'Checkout fails');
      const status = await until(
        () => memory.learning.status(),
        (current) => current.pending === 0,
        120_000,
      );
      expect(status).toMatchObject({ pending: 0, failed: 0, running: true });
      expect(lines.join('\n')).not.toContain('without a pause');
    } finally {
      vi.useRealTimers();
      await memory.close();
    }
  });
});
