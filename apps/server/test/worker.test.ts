import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { openStore } from '../src/store/open-store.js';
import { runCli, spawnCli } from './__fixtures__/cli-process.js';
import { startEmbeddingsEndpoint } from './__fixtures__/embeddings-endpoint.js';
import { recordEpisodes } from './__fixtures__/record-episodes.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-worker-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function queueRows(dbPath: string) {
  const raw = createClient({ url: `file:${dbPath}`, intMode: 'number' });
  try {
    return (await raw.execute('SELECT learner, lease_owner FROM learning_queue')).rows;
  } finally {
    raw.close();
  }
}

describe('episodic worker', () => {
  it('learns what a server queued, and takes over the batches of a worker killed mid-batch', async () => {
    const endpoint = await startEmbeddingsEndpoint(16);
    const dataDir = join(root, 'data');
    const dbPath = join(dataDir, 'memory.db');
    const configFile = join(root, 'episodic.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir,
        embeddings: 'openai',
        embeddingsUrl: endpoint.url,
        embeddingsModel: 'test-embed',
        embeddingsDimensions: 16,
        memory: { learning: { leaseMs: 1000 } },
      }),
    );
    const env = { OPENAI_API_KEY: 'test-key' };
    try {
      // A server-side store that only queues: nothing learns in this process.
      const config = await loadConfig({ flags: { config: configFile }, env });
      const memory = await openStore(config, { learning: false });
      const ids = await recordEpisodes(memory, 6);
      await memory.close();
      expect(endpoint.requests()).toBe(0);
      expect((await queueRows(dbPath)).length).toBe(12);

      endpoint.hold();
      const first = spawnCli(['worker', '--config', configFile], env);
      await first.waitFor(/Episodic worker learning/);
      await endpoint.requested();
      first.child.kill('SIGKILL');
      await first.exited;
      // The dead worker still holds its embedding batch under a lease.
      expect(
        (await queueRows(dbPath)).some((row) => row.learner === 'embeddings' && row.lease_owner !== null),
      ).toBe(true);

      endpoint.answer();
      const second = spawnCli(['worker', '--config', configFile], env);
      await second.waitFor(/Episodic worker learning/);
      const deadline = Date.now() + 60_000;
      while ((await queueRows(dbPath)).length > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);

      expect(await queueRows(dbPath)).toEqual([]);
      const raw = createClient({ url: `file:${dbPath}`, intMode: 'number' });
      try {
        const marks = ids.map(() => '?').join(', ');
        const [embedded, mined] = await raw.batch([
          {
            sql: `SELECT COUNT(*) AS n FROM episodes WHERE id IN (${marks}) AND embedding_version IS NOT NULL`,
            args: ids,
          },
          { sql: `SELECT COUNT(*) AS n FROM mined_episodes WHERE episode_id IN (${marks})`, args: ids },
        ]);
        expect([embedded?.rows[0]?.n, mined?.rows[0]?.n]).toEqual([6, 6]);
      } finally {
        raw.close();
      }
    } finally {
      await endpoint.close();
    }
  }, 120_000);

  it('on a store mined with other miners, names `episodic remine`, which mines every episode again', async () => {
    const dataDir = join(root, 'other-miners');
    const flags = { 'data-dir': dataDir, embeddings: 'none' };
    const before = await openStore(
      await loadConfig({ flags: { ...flags, miners: 'tool_sequence' }, env: {} }),
    );
    await recordEpisodes(before, 3);
    await before.learning.flush();
    await before.close();
    const types = async () => {
      const raw = createClient({ url: `file:${join(dataDir, 'memory.db')}`, intMode: 'number' });
      try {
        const rows = await raw.execute('SELECT DISTINCT pattern_type FROM patterns ORDER BY 1');
        return rows.rows.map((row) => row.pattern_type);
      } finally {
        raw.close();
      }
    };
    expect(await types()).toEqual(['tool_sequence']);

    // The four miners now: the worker's warning says what to run (the command did not exist).
    const worker = spawnCli(['worker', '--data-dir', dataDir, '--embeddings', 'none']);
    await worker.waitFor(/Episodic worker learning/);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toMatch(/mining last ran on this store with other settings .*`episodic remine`/);

    const remine = await runCli(['remine', '--data-dir', dataDir, '--json']);
    expect([remine.code, remine.stderr]).toEqual([0, '']);
    expect(JSON.parse(remine.stdout)).toMatchObject({ episodes: 3 });
    expect((await types()).length).toBeGreaterThan(1);
    const said = await runCli(['remine', '--data-dir', dataDir]);
    expect(said.stdout).toMatch(/^Remined 3 episodes in \d+\.\d s: \d+ patterns\.\n$/);
  }, 120_000);

  it('with fewer miners than the worker already running, leaves mining to it and says so at start', async () => {
    const dataDir = join(root, 'fewer-miners');
    const all = spawnCli(['worker', '--data-dir', dataDir, '--embeddings', 'none']);
    await all.waitFor(/Episodic worker learning \(mining\)/);
    // Started once the first one runs mining: the older claim decides.
    const fewer = spawnCli([
      'worker',
      '--data-dir',
      dataDir,
      '--embeddings',
      'none',
      '--miners',
      'tool_sequence',
    ]);
    try {
      const [line] = await fewer.waitFor(/Episodic worker learning \(.*\)/);
      expect(line).toMatch(/^Episodic worker learning \(mining left to \S+\)$/);
      expect(fewer.stderr()).toMatch(
        /mining is left to \S+, which has run it longer, with other settings \(miners: error_resolution, optimization, testing_strategy, tool_sequence; this process: miners: tool_sequence\)/,
      );
    } finally {
      for (const worker of [fewer, all]) {
        worker.child.kill('SIGTERM');
        expect(await worker.exited).toBe(0);
      }
    }
  }, 120_000);
});
