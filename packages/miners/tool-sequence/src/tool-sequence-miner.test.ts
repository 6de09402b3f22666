import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory, patternId } from '@episodic/core';
import { createMineInputs, type EpisodeFixture, testPatternMiner } from '@episodic/core/testing';
import { describe, expect, it } from 'vitest';
import { createToolSequenceMiner } from './tool-sequence-miner.js';

const episodes: EpisodeFixture[] = [
  {
    taskType: 'debugging',
    steps: [
      { action: 'read_file src/a.ts', success: true },
      { action: 'read_file src/b.ts', success: true },
      { action: 'edit_file src/a.ts', success: true },
      { action: 'run_tests auth', success: false, result: 'FAIL 1 test' },
      { action: 'run_tests auth', success: true },
    ],
  },
  {
    taskType: 'debugging',
    status: 'failed',
    steps: [{ action: 'search_code x' }, { action: 'edit_file y' }],
  },
];

testPatternMiner(() => createToolSequenceMiner(), { episodes });

const mineOne = async (fixture: EpisodeFixture, options = {}) => {
  const [input] = createMineInputs([fixture]);
  return createToolSequenceMiner(options).mine(input!);
};

describe('tool-sequence miner', () => {
  it('mines tool names, collapsing repeats and leaving out failed steps, per task type', async () => {
    const candidates = await mineOne(episodes[0]!);
    expect(candidates.map((c) => c.data.actions.join(' '))).toEqual([
      'read_file edit_file',
      'read_file edit_file run_tests',
      'read_file run_tests',
      'edit_file run_tests',
    ]);
    expect(candidates.every((c) => c.perTaskType === true && c.success === true)).toBe(true);
    expect(candidates.map((c) => c.measurements?.contiguous)).toEqual([1, 1, 0, 1]);
  });

  it('marks sequences from a failed episode as evidence against them', async () => {
    const [candidate] = await mineOne(episodes[1]!);
    expect(candidate).toMatchObject({ data: { actions: ['search_code', 'edit_file'] }, success: false });
  });

  it('takes its options: normaliser, lengths, and failed steps kept', async () => {
    const candidates = await mineOne(episodes[0]!, {
      normalizeAction: (action: string) => action.toUpperCase(),
      maxLength: 2,
      window: 2,
      collapseRepeats: false,
      skipFailedSteps: false,
    });
    expect(candidates.map((c) => c.data.actions)).toContainEqual(['RUN_TESTS AUTH', 'RUN_TESTS AUTH']);
    expect(candidates.every((c) => c.data.actions.length === 2)).toBe(true);
  });

  it('refuses bad options with a CONFIG error naming the field', () => {
    expect(() => createToolSequenceMiner({ minLength: 3, maxLength: 2 })).toThrow(
      expect.objectContaining({ code: 'CONFIG', issues: [expect.objectContaining({ path: 'maxLength' })] }),
    );
    expect(() => createToolSequenceMiner({ window: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
    expect(() => createToolSequenceMiner({ minSuccessShare: 1.5 })).toThrow(
      expect.objectContaining({
        code: 'CONFIG',
        issues: [expect.objectContaining({ path: 'minSuccessShare' })],
      }),
    );
  });

  it('asks for a sequence most successful runs share by default, and for none with minSuccessShare 0', () => {
    expect(createToolSequenceMiner().minSuccessShare).toBe(0.5);
    expect(createToolSequenceMiner({ minSuccessShare: 0.25 }).minSuccessShare).toBe(0.25);
    expect(createToolSequenceMiner({ minSuccessShare: 0 }).minSuccessShare).toBeUndefined();
  });

  it('accumulates support and success per task type in a real store, and reports lift', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'miner-tool-sequence-'));
    const memory = await openMemory({
      url: `file:${join(dir, 'memory.db')}`,
      cache: false,
      miners: [createToolSequenceMiner()],
    });
    try {
      const plan: [string, string[], 'completed' | 'failed'][] = [
        ['debugging', ['read_file', 'edit_file', 'run_tests'], 'completed'],
        ['debugging', ['read_file', 'edit_file', 'run_tests'], 'completed'],
        ['debugging', ['read_file', 'edit_file', 'run_tests'], 'completed'],
        ['debugging', ['search_code', 'run_tests'], 'failed'],
        ['testing', ['read_file', 'edit_file'], 'failed'],
      ];
      for (const [taskType, actions, status] of plan) {
        const episode = await memory.episodes.start({ taskType, domain: 'web' });
        await memory.episodes.logSteps(
          episode.id,
          actions.map((action) => ({ action: `${action} somewhere`, success: true })),
        );
        await memory.episodes.complete(episode.id, { status });
        await memory.learning.flush();
      }
      const id = patternId({
        patternType: 'tool_sequence',
        domain: 'web',
        taskType: 'debugging',
        data: { actions: ['read_file', 'edit_file'] },
      });
      expect(await memory.patterns.get(id)).toMatchObject({
        support: 3,
        successes: 3,
        summary: 'read_file → edit_file',
      });
      const [top] = await memory.patterns.relevant({ taskType: 'debugging', types: ['tool_sequence'] });
      expect(top?.pattern.taskType).toBe('debugging');
      expect(top?.lift).toBeCloseTo(1 / (3 / 4));
    } finally {
      await memory.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
