import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { createMineInputs, type EpisodeFixture, testPatternMiner } from '@episodic/plugin/testing';
import { describe, expect, it } from 'vitest';
import { createTestingStrategyMiner } from './testing-strategy-miner.js';

const fixture = (actions: string[], status: 'completed' | 'failed' = 'completed'): EpisodeFixture => ({
  taskType: 'debugging',
  status,
  steps: actions.map((action) => ({ action, success: !action.includes('!') })),
});

const tdd = fixture([
  'read_file a.ts',
  'run_tests auth!',
  'edit_file a.ts',
  'run_tests auth',
  'edit_file b.ts',
  'run_tests auth',
  'npm test',
]);
const cowboy = fixture(['read_file a.ts', 'edit_file a.ts', 'edit_file b.ts'], 'failed');

testPatternMiner(() => createTestingStrategyMiner(), { episodes: [tdd, cowboy] });

const strategies = async (episode: EpisodeFixture, options = {}) => {
  const [input] = createMineInputs([episode]);
  return (await createTestingStrategyMiner(options).mine(input!)).map((candidate) => candidate.data.strategy);
};

describe('testing-strategy miner', () => {
  it('recognises where tests sit among the changes', async () => {
    expect(await strategies(tdd)).toEqual([
      'test_first',
      'test_after_each_change',
      'verify_at_end',
      'targeted_before_full',
    ]);
    expect(await strategies(cowboy)).toEqual(['no_tests']);
    expect(await strategies(fixture(['run_tests', 'read_file']))).toEqual(['tests_without_changes']);
    expect(await strategies(fixture(['read_file', 'search_code x']))).toEqual([]);
  });

  it('does not count a change left untested, or a full run before the targeted one', async () => {
    expect(
      await strategies(fixture(['edit_file', 'npm test', 'edit_file', 'edit_file', 'run_tests auth'])),
    ).toEqual(['verify_at_end']);
    expect(await strategies(fixture(['edit_file', 'run_tests', 'edit_file']))).toEqual([]);
  });

  it("reads a coding agent's pytest commands: targeted_before_full only when a targeted run came first", async () => {
    expect(await strategies(fixture(['edit_file src/a.py', 'cd /testbed && pytest', 'pytest']))).toEqual([
      'test_after_each_change',
      'verify_at_end',
    ]);
    expect(
      await strategies(
        fixture(['edit_file src/a.py', 'python -m pytest tests/test_a.py', 'python -m pytest']),
      ),
    ).toEqual(['test_after_each_change', 'verify_at_end', 'targeted_before_full']);
  });

  it('records per task type, with the test runs and where the first one sits', async () => {
    const [input] = createMineInputs([tdd]);
    const [first] = await createTestingStrategyMiner().mine(input!);
    expect(first).toMatchObject({
      success: true,
      perTaskType: true,
      measurements: { testRuns: 4, failedTestRuns: 1, changes: 2, firstTestAt: 1 / 6 },
    });
  });

  it('takes configurable matchers and refuses bad ones', async () => {
    const episode = fixture(['bash: make check', 'bash: sed -i x', 'bash: make check']);
    // By default `sed -i` is an edit and `make check` is not a test run.
    expect(await strategies(episode)).toEqual(['no_tests']);
    expect(await strategies(episode, { testMatchers: ['make check'], changeMatchers: ['sed'] })).toEqual([
      'test_first',
      'test_after_each_change',
      'verify_at_end',
    ]);
    expect(() => createTestingStrategyMiner({ testMatchers: [] })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });

  it('shows how a strategy goes with success in a real store (success rate and lift)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'miner-testing-strategy-'));
    const memory = await openMemory({
      url: `file:${join(dir, 'memory.db')}`,
      cache: false,
      miners: [createTestingStrategyMiner()],
    });
    try {
      for (const episode of [tdd, tdd, tdd, cowboy, cowboy, { ...cowboy, status: 'completed' as const }]) {
        const started = await memory.episodes.start({ taskType: 'debugging', domain: 'shop' });
        await memory.episodes.logSteps(
          started.id,
          episode.steps.map((s) => ({ action: s.action, success: s.success ?? undefined })),
        );
        await memory.episodes.complete(started.id, { status: episode.status ?? 'completed' });
        await memory.learning.flush();
      }
      // minEvidence 0: every strategy with a success, to read each one's lift.
      const hits = await memory.patterns.relevant({ taskType: 'debugging', limit: 10, minEvidence: 0 });
      const byStrategy = new Map(
        hits.map((hit) => [(hit.pattern.patternData as { strategy: string }).strategy, hit]),
      );
      expect(byStrategy.get('verify_at_end')?.pattern).toMatchObject({ support: 3, successRate: 1 });
      expect(byStrategy.get('verify_at_end')?.lift).toBeCloseTo(1 / (4 / 6));
      expect(byStrategy.get('no_tests')?.pattern).toMatchObject({ support: 3, successes: 1 });
      expect(byStrategy.get('no_tests')?.lift).toBeCloseTo(1 / 3 / (4 / 6));
    } finally {
      await memory.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
