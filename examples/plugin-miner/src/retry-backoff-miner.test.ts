import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { createMineInputs, type EpisodeFixture, testPatternMiner } from '@episodic/plugin/testing';
import { describe, expect, it } from 'vitest';
import { createRetryBackoffMiner, type RetryBackoffOptions } from './retry-backoff-miner.js';

const rateLimited = '429 Too Many Requests: rate limit exceeded, retry later';

/** Samples for the conformance suite: backoff that worked, backoff that did not, and noise. */
const episodes: EpisodeFixture[] = [
  {
    steps: [
      { action: 'curl https://api.example.com/orders', success: false, result: rateLimited, durationMs: 120 },
      { action: 'sleep 2', success: true, durationMs: 2000 },
      { action: 'curl https://api.example.com/orders', success: true, result: '200 OK', durationMs: 150 },
    ],
  },
  {
    status: 'failed',
    steps: [
      {
        action: 'psql -c "update stock"',
        success: false,
        result: 'ERROR: database is locked',
        durationMs: 10,
      },
      { action: 'wait 5s', success: true, durationMs: 5000 },
      {
        action: 'psql -c "update stock"',
        success: false,
        result: 'ERROR: database is locked',
        durationMs: 10,
      },
      { action: 'read_file notes.md', success: true, durationMs: 5 },
    ],
  },
];

testPatternMiner(createRetryBackoffMiner, { episodes });

async function mineOne(steps: EpisodeFixture['steps'], options: RetryBackoffOptions = {}) {
  const [input] = createMineInputs([{ steps }]);
  return createRetryBackoffMiner(options).mine(input!);
}

const fail = (action: string, result = rateLimited) => ({ action, success: false, result, durationMs: 100 });
// A step without `durationMs` starts where the fixture's previous one ended plus one second.
const succeedAfterPause = (action: string) => ({ action, success: true });
const succeedAtOnce = (action: string) => ({ action, success: true, durationMs: 100 });

describe('retry-backoff miner', () => {
  it('finds a retry of the same action after a wait action, with the time waited', async () => {
    const candidates = await mineOne(episodes[0]!.steps);
    expect(candidates).toEqual([
      { data: { tool: 'curl', error: 'rate_limited' }, success: true, measurements: { waitMs: 2000 } },
    ]);
  });

  it('counts a pause of minWaitMs between failure and retry as a wait, and an immediate retry as none', async () => {
    const paused = await mineOne([
      fail('deploy --env prod', 'Error: 503 Service Unavailable'),
      succeedAfterPause('deploy --env prod'),
    ]);
    expect(paused).toEqual([
      { data: { tool: 'deploy', error: 'unavailable' }, success: true, measurements: { waitMs: 1000 } },
    ]);
    expect(
      await mineOne([fail('deploy --env prod', 'ETIMEDOUT'), succeedAtOnce('deploy --env prod')]),
    ).toEqual([]);
    expect(
      await mineOne([fail('deploy --env prod', 'ETIMEDOUT'), succeedAfterPause('deploy --env prod')], {
        minWaitMs: 5000,
      }),
    ).toEqual([]);
  });

  it('is evidence against backoff when retries after waits kept failing to the end', async () => {
    const [candidate] = await mineOne(episodes[1]!.steps);
    expect(candidate).toEqual({ data: { tool: 'psql', error: 'busy' }, success: false, measurements: {} });
  });

  it('ignores failures waiting cannot fix, other actions, and retries never waited for', async () => {
    expect(
      await mineOne([
        fail('tsc -p .', 'error TS2304: Cannot find name x'),
        { action: 'sleep 1' },
        succeedAtOnce('tsc -p .'),
      ]),
    ).toEqual([]);
    expect(
      await mineOne([
        fail('curl https://a.example/1'),
        { action: 'sleep 1' },
        succeedAtOnce('curl https://a.example/2'),
      ]),
    ).toEqual([]);
    expect(await mineOne([fail('npm publish'), fail('npm publish')])).toEqual([]);
  });

  it('refuses bad options with a PluginError naming the miner and the field', () => {
    expect(() => createRetryBackoffMiner({ minWaitMs: -1 })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        plugin: 'retry-backoff miner',
        issues: [expect.objectContaining({ path: 'minWaitMs' })],
      }),
    );
  });

  it('registers its own pattern type in a real store and accumulates evidence across episodes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'example-plugin-miner-'));
    const memory = await openMemory({
      url: `file:${join(dir, 'memory.db')}`,
      cache: false,
      miners: [createRetryBackoffMiner()],
    });
    try {
      const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, second)).toISOString();
      for (const [status, retry] of [
        ['completed', true],
        ['completed', true],
        ['failed', false],
      ] as const) {
        const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'shop' });
        await memory.episodes.logSteps(episode.id, [
          {
            action: 'curl https://api.example.com/orders',
            success: false,
            result: rateLimited,
            timestamp: at(0),
          },
          { action: 'sleep 3', success: true, durationMs: 3000, timestamp: at(3) },
          {
            action: 'curl https://api.example.com/orders',
            success: retry,
            result: retry ? '200 OK' : rateLimited,
            timestamp: at(4),
          },
        ]);
        await memory.episodes.complete(episode.id, { status });
      }
      await memory.learning.flush();
      const { items } = await memory.patterns.list({ type: 'retry_backoff' });
      expect(items).toMatchObject([
        {
          patternType: 'retry_backoff',
          support: 3,
          successes: 2,
          summary: 'retry curl after a wait on rate limited',
        },
      ]);
      expect(items[0]?.patternData).toEqual({ tool: 'curl', error: 'rate_limited' });
    } finally {
      await memory.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
