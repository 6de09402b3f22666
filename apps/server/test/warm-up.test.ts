import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../src/server.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const vectorsHeld = async (url: string) =>
  (await (await fetch(`${url}/metrics`)).text()).match(/^episodic_vector_index_vectors (\d+)$/m)?.[1];

describe('episodic serve warms up', () => {
  it('loads the vector index once it listens, before any retrieve, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'episodic-server-'));
    dirs.push(dir);
    const first = await startServer({ port: 0, dataDir: dir, log: () => undefined });
    for (const context of ['cache miss on deploy', 'flaky test in CI', 'migration timed out']) {
      const episode = await first.memory.episodes.start({ taskType: 'debugging', domain: 'ops', context });
      await first.memory.episodes.complete(episode.id, { status: 'completed' });
    }
    await first.memory.learning.flush();
    await first.close();

    const said: string[] = [];
    const second = await startServer({ port: 0, dataDir: dir, log: (line) => said.push(line) });
    try {
      // Nothing asks a retrieve: the server loads the three vectors by itself.
      await expect.poll(() => vectorsHeld(second.url), { timeout: 30_000, interval: 50 }).toBe('3');
      expect(said).toContainEqual(expect.stringMatching(/^vector index loaded: 3 vectors in \d+\.\d s$/));
    } finally {
      await second.close();
    }
  }, 120_000);
});
