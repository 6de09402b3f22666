import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { createMineInputs, type EpisodeFixture, testPatternMiner } from '@episodic/plugin/testing';
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
    expect((await mine(episodes[0]!))[0]?.data.resolution).toEqual(['book_reservation']);
    expect(await mine(episodes[0]!, { maxBetween: 4 })).toEqual([
      {
        data: {
          action: 'book_reservation',
          signature: 'Error: payment amount does not add up, total price is <n>, but paid <n>',
          resolution: ['think', 'calculate', 'book_reservation'],
          argumentFrom: 'error.mention',
        },
        success: true,
        measurements: { stepsToResolve: 3, msToResolve: 65 },
      },
    ]);
  });

  it('measures the time to resolve only over steps that logged their durations', async () => {
    const untimed: EpisodeFixture = {
      steps: [
        { action: 'run_tests', result: 'AssertionError: expected 2 got 3', success: false },
        { action: 'edit_file', success: true, durationMs: 40 },
        { action: 'run_tests', success: true },
      ],
    };
    // Before: `msToResolve: 40`, the untimed step counted as 0 ms.
    expect((await mine(untimed))[0]?.measurements).toEqual({ stepsToResolve: 2 });
  });

  it('gives the same error in another episode, with other numbers, the same pattern', async () => {
    const again: EpisodeFixture = {
      steps: [
        { action: 'book_reservation {"paid":700}', result: payment(980, 700), success: false },
        { action: 'think', success: true },
        { action: 'calculate', success: true },
        { action: 'book_reservation {"paid":980}', success: true },
      ],
    };
    expect((await mine(again, { maxBetween: 4 }))[0]?.data).toEqual(
      (await mine(episodes[0]!, { maxBetween: 4 }))[0]?.data,
    );
  });

  it('takes the first success when the same action never succeeds, and nothing when nothing does', async () => {
    const other: EpisodeFixture = {
      steps: [
        { action: 'book_reservation', result: payment(1, 2), success: false },
        { action: 'transfer_to_human_agents', success: true },
      ],
    };
    expect((await mine(other))[0]?.data.resolution).toEqual(['transfer_to_human_agents']);
    const format: EpisodeFixture = {
      steps: [
        {
          action: 'format_error',
          result: 'Please always provide EXACTLY ONE action in triple backticks, found 2 actions.',
          success: false,
        },
        { action: 'cd /testbed && grep -n "def parse" src/a.py', success: true },
      ],
    };
    expect((await mine(format))[0]?.data).toEqual({
      action: 'format_error',
      signature: 'Please always provide EXACTLY ONE action in triple backticks, found <n> actions.',
      resolution: ['grep'],
    });
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

  it('says the fix took the suggested name whether a shell command or a tool call passed it', async () => {
    const error = "npm ERR! 404 'lodahs@*' is not in this registry. Did you mean 'lodash'?";
    for (const [failed, fixed] of [
      ['bash: npm install lodahs', 'bash: npm install lodash'],
      ["Shell[npm install 'lodahs']", "Shell[npm install 'lodash']"],
      ['npm_install[lodahs]', 'npm_install[lodash]'],
    ]) {
      const episode: EpisodeFixture = {
        steps: [
          { action: failed as string, result: error, success: false },
          { action: fixed as string, result: 'added 1 package', success: true },
        ],
      };
      expect((await mine(episode))[0]?.data.argumentFrom, fixed).toBe('error.suggestion');
    }
  });

  it('says when the fix took its argument from the error or an earlier result', async () => {
    const react: EpisodeFixture = {
      steps: [
        {
          action: 'Search[Nick Park]',
          result: "Could not find Nick Park. Similar: ['Nick Park (animator)', 'Aardman Animations'].",
          success: false,
        },
        {
          action: 'Search[Nick Park (animator)]',
          result: 'Nicholas Wulstan Park is an English animator',
          success: true,
        },
      ],
    };
    expect((await mine(react))[0]?.data).toEqual({
      action: 'Search',
      signature: 'Could not find <name>. Similar: <list>.',
      resolution: ['Search'],
      argumentFrom: 'error.suggestion',
    });
    const module: EpisodeFixture = {
      steps: [
        {
          action: 'python reproduce.py',
          result: "ModuleNotFoundError: No module named 'astropy'",
          success: false,
        },
        { action: 'pip install astropy', success: true },
      ],
    };
    expect((await mine(module))[0]?.data.argumentFrom).toBe('error.mention');
    const flights: EpisodeFixture = {
      steps: [
        {
          action: 'book_reservation',
          metadata: { arguments: { flight: 'HAT030' } },
          result: 'Error: flight HAT030 not available on date 2024-05-13',
          success: false,
        },
        {
          action: 'search_direct_flight',
          metadata: { arguments: { date: '2024-05-13' } },
          result: '[{"flight_number": "HAT045"}]',
          success: true,
        },
        {
          action: 'book_reservation',
          metadata: { arguments: { flight: 'HAT045' } },
          result: '{"reservation_id": "X1"}',
          success: true,
        },
      ],
    };
    expect((await mine(flights, { maxBetween: 4 }))[0]?.data).toMatchObject({
      resolution: ['search_direct_flight', 'book_reservation'],
      argumentFrom: 'earlier.result',
    });
    const retry: EpisodeFixture = {
      steps: [
        { action: 'fetch https://x.test', result: 'Error: timeout', success: false },
        { action: 'fetch https://x.test', success: true },
      ],
    };
    expect((await mine(retry))[0]?.data).not.toHaveProperty('argumentFrom');
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
    expect((await mine(episodes[1]!, { maxBetween: 4 }))[0]).toMatchObject({
      data: {
        action: 'run_tests',
        signature: 'FAIL <path> expected <n> to be <n>',
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
        patternData: { action: 'book_reservation', resolution: ['book_reservation'] },
      });
      expect(hit?.episodeIds).toHaveLength(3);

      for (const [wanted, suggested] of [
        ['Nick Park', 'Nick Park (animator)'],
        ['Were-Rabbit', 'Wallace & Gromit: The Curse of the Were-Rabbit'],
      ]) {
        const episode = await memory.episodes.start({ taskType: 'booking', domain: 'wiki' });
        await memory.episodes.logSteps(episode.id, [
          {
            action: `Search[${wanted}]`,
            result: `Could not find ${wanted}. Similar: ['${suggested}', 'Aardman'].`,
            success: false,
          },
          { action: `Search[${suggested}]`, result: 'an English animator', success: true },
          { action: 'Finish[yes]', success: true },
        ]);
        await memory.episodes.complete(episode.id, { status: 'completed' });
      }
      await memory.learning.flush();
      const [fix] = await memory.patterns.relevant({
        text: "Could not find Peter Lord. Similar: ['Peter Lord (animator)', 'Chicken Run'].",
        domain: 'wiki',
      });
      expect(fix?.pattern.patternData).toEqual({
        action: 'Search',
        signature: 'Could not find <name>. Similar: <list>.',
        resolution: ['Search'],
        argumentFrom: 'error.suggestion',
      });
    } finally {
      await memory.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad options with an INVALID_OPTIONS error', () => {
    expect(() => createErrorResolutionMiner({ lookahead: 0 })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        issues: [expect.objectContaining({ path: 'lookahead' })],
      }),
    );
  });
});
