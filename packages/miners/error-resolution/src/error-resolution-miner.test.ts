import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { createMineInputs, type EpisodeFixture, testPatternMiner } from '@episodic/core/testing';
import { describe, expect, it } from 'vitest';
import { createErrorResolutionMiner } from './error-resolution-miner.js';

const payment = (total: number, paid: number) =>
  `Error: payment amount does not add up, total price is ${total}, but paid ${paid}`;

const episodes: EpisodeFixture[] = [
  {
    taskType: 'analysis',
    steps: [
      { action: 'get_user_details', result: '{"name":"Mia"}', success: true },
      { action: 'book_reservation {"paid":255}', result: payment(305, 255), success: false, durationMs: 40 },
      { action: 'think', result: 'recompute', success: true, durationMs: 10 },
      { action: 'calculate 305 - 250', result: '55', success: true, durationMs: 5 },
      { action: 'book_reservation {"paid":305}', result: '{"id":"R1"}', success: true, durationMs: 50 },
    ],
  },
  {
    taskType: 'debugging',
    status: 'failed',
    steps: [
      { action: 'run_tests', result: 'FAIL session.test.ts:42 expected 401 to be 200', success: false },
      { action: 'edit_file src/session.ts', success: true },
      { action: 'run_tests', result: 'ok', success: true },
    ],
  },
];

testPatternMiner(() => createErrorResolutionMiner(), { episodes });

const mine = async (fixture: EpisodeFixture, options = {}) => {
  const [input] = createMineInputs([fixture]);
  return createErrorResolutionMiner(options).mine(input!);
};

describe('error-resolution miner', () => {
  it('links a normalised error to what was done until the same action succeeded', async () => {
    expect(await mine(episodes[0]!)).toEqual([
      {
        data: {
          action: 'book_reservation',
          signature: 'Error: payment amount does not add up, total price is <n>, but paid <n>',
          resolution: ['think', 'calculate', 'book_reservation'],
        },
        success: true,
        measurements: { stepsToResolve: 3, msToResolve: 65 },
      },
    ]);
  });

  it('gives the same error in another episode, with other numbers, the same pattern', async () => {
    const again: EpisodeFixture = {
      steps: [
        { action: 'book_reservation', result: payment(980, 700), success: false },
        { action: 'think', success: true },
        { action: 'calculate', success: true },
        { action: 'book_reservation', success: true },
      ],
    };
    expect((await mine(again))[0]?.data).toEqual((await mine(episodes[0]!))[0]?.data);
  });

  it('yields nothing for an error never followed by the same action succeeding (within the lookahead)', async () => {
    const unresolved: EpisodeFixture = {
      steps: [
        { action: 'book_reservation', result: payment(1, 2), success: false },
        { action: 'transfer_to_human_agents', success: true },
      ],
    };
    expect(await mine(unresolved)).toEqual([]);
    const far: EpisodeFixture = {
      steps: [
        { action: 'deploy', result: 'Error: timeout', success: false },
        { action: 'wait' },
        { action: 'wait 2' },
        { action: 'deploy', success: true },
      ],
    };
    expect(await mine(far, { lookahead: 2 })).toEqual([]);
    expect(await mine(far, { lookahead: 3 })).toHaveLength(1);
  });

  it('keeps the last maxBetween actions before the fix, collapsing repeats', async () => {
    const long: EpisodeFixture = {
      steps: [
        { action: 'build', result: 'error: missing dep', success: false },
        ...['a', 'b', 'b', 'c', 'd', 'e'].map((action) => ({ action, success: true })),
        { action: 'build', success: true },
      ],
    };
    expect((await mine(long, { maxBetween: 2 }))[0]?.data.resolution).toEqual(['d', 'e', 'build']);
    expect((await mine(long, { maxBetween: 0 }))[0]?.data.resolution).toEqual(['build']);
  });

  it('marks the evidence by the episode outcome', async () => {
    expect((await mine(episodes[1]!))[0]).toMatchObject({
      data: {
        action: 'run_tests',
        signature: 'FAIL session.test.ts:<n> expected <n> to be <n>',
        resolution: ['edit_file', 'run_tests'],
      },
      success: false,
    });
  });

  it('finds a resolved error again from its text through relevantPatterns, in a real store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'miner-error-resolution-'));
    const memory = await openMemory({
      url: `file:${join(dir, 'memory.db')}`,
      cache: false,
      taskTypes: ['booking'],
      miners: [createErrorResolutionMiner()],
    });
    try {
      for (const [total, paid] of [
        [305, 255],
        [120, 100],
        [990, 900],
      ] as const) {
        const episode = await memory.episodes.start({ taskType: 'booking', domain: 'airline' });
        await memory.episodes.logSteps(episode.id, [
          { action: 'book_reservation', result: payment(total, paid), success: false },
          { action: 'calculate', result: String(total - paid), success: true },
          { action: 'book_reservation', result: 'ok', success: true },
        ]);
        await memory.episodes.complete(episode.id, { status: 'completed' });
        await memory.learning.flush();
      }
      const [hit] = await memory.patterns.relevant({ text: payment(77, 70), types: ['error_resolution'] });
      expect(hit?.pattern).toMatchObject({
        support: 3,
        successRate: 1,
        patternData: { action: 'book_reservation', resolution: ['calculate', 'book_reservation'] },
      });
      expect(hit?.episodeIds).toHaveLength(3);
    } finally {
      await memory.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad options with a CONFIG error', () => {
    expect(() => createErrorResolutionMiner({ lookahead: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG', issues: [expect.objectContaining({ path: 'lookahead' })] }),
    );
  });
});
