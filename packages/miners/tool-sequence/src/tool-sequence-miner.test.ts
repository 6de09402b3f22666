import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Memory, openMemory, patternId } from '@episodic/core';
import { createMineInputs, type EpisodeFixture, testPatternMiner } from '@episodic/plugin/testing';
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

type Run = [actions: string[], status: 'completed' | 'failed'];

/** A store with the default miner that has recorded `runs` (every step succeeded), for `body`. */
async function withRecordedRuns(
  scope: { taskType: string; domain: string },
  runs: readonly Run[],
  body: (memory: Memory) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'miner-tool-sequence-'));
  const memory = await openMemory({
    url: `file:${join(dir, 'memory.db')}`,
    cache: false,
    taskTypes: [scope.taskType],
    miners: [createToolSequenceMiner()],
  });
  try {
    for (const [actions, status] of runs) {
      const episode = await memory.episodes.start(scope);
      await memory.episodes.logSteps(
        episode.id,
        actions.map((action) => ({ action, success: true })),
      );
      await memory.episodes.complete(episode.id, { status });
    }
    await memory.learning.flush();
    await body(memory);
  } finally {
    await memory.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('tool-sequence miner', () => {
  it('mines tool names with runs of one action kept as one element with its length (and as the bare action), failed steps included', async () => {
    const candidates = await mineOne(episodes[0]!);
    expect(candidates.map((c) => c.data.actions.join(' '))).toEqual([
      'read_file×2+ edit_file',
      'read_file edit_file',
      'read_file×2+ run_tests×2+',
      'read_file×2+ run_tests',
      'read_file run_tests×2+',
      'read_file run_tests',
      'edit_file run_tests×2+',
      'edit_file run_tests',
    ]);
    expect(candidates.every((c) => c.perTaskType === true && c.success === true)).toBe(true);
    expect(candidates.map((c) => c.measurements?.contiguous)).toEqual([1, 1, 0, 0, 0, 0, 1, 1]);
  });

  it("compares wrapped shell commands by their programs, not by the wrapper's option", async () => {
    const candidates = await mineOne({
      taskType: 'ops',
      steps: ['sudo -u postgres psql', 'sudo -u deploy systemctl restart web'].map((action) => ({ action })),
    });
    expect(candidates.map((c) => c.data.actions.join(' → '))).toEqual(['psql → systemctl']);
  });

  it('pairs a look-up with the write three steps later by default (τ-bench task 34, trial 1)', async () => {
    // The first six calls of a successful run (arguments left out): two look-ups, the user, one
    // more look-up, then the flight change the task's ground truth asks for.
    const candidates = await mineOne({
      taskType: 'update_reservation_flights',
      steps: [
        'get_reservation_details',
        'get_reservation_details',
        'get_user_details',
        'get_reservation_details',
        'update_reservation_flights',
        'cancel_reservation',
      ].map((action) => ({ action, success: true })),
    });
    const mined = candidates.map((c) => c.data.actions.join(' → '));
    expect(mined).toContain('get_reservation_details×2+ → update_reservation_flights');
    expect(mined).not.toContain('get_reservation_details×2+ → cancel_reservation');
    expect(candidates.every((c) => c.data.actions.length === 2)).toBe(true);
  });

  it('keeps ReAct repeats: Search → Search → Finish is its own pattern, and a run of Search → Finish too', async () => {
    const react = (actions: string[], status: 'completed' | 'failed' = 'completed') =>
      mineOne({ taskType: 'qa', status, steps: actions.map((action) => ({ action, success: true })) });
    const twice = await react(['Search[Nick Park]', 'Search[Wallace and Gromit]', 'Finish[1989]']);
    const once = await react(['Search[Nick Park]', 'Finish[1989]']);
    const many = await react(['Search[a]', 'Search[b]', 'Search[c]', 'Search[d]', 'Finish[x]']);
    // `Search×2+ → Finish` only from runs that searched twice or more; `Search → Finish` from all.
    expect(twice.map((c) => c.data.actions)).toEqual([
      ['Search×2+', 'Finish'],
      ['Search', 'Finish'],
    ]);
    expect(once.map((c) => c.data.actions)).toEqual([['Search', 'Finish']]);
    expect(many.map((c) => c.data.actions)).toEqual(twice.map((c) => c.data.actions));
    const counted = await mineOne(
      {
        taskType: 'qa',
        steps: ['Search[a]', 'Search[b]', 'Search[c]', 'Finish[x]'].map((action) => ({ action })),
      },
      { maxRepeat: 3, generalizeRuns: false },
    );
    expect(counted.map((c) => c.data.actions)).toEqual([['Search×3+', 'Finish']]);
  });

  it('pools the runs of one recipe whatever their run lengths, so relevantPatterns reports it', async () => {
    // Shaped on τ-bench airline flight changes: good runs look the reservation up once or several
    // times before the change; each form alone is in too few good runs to be what most good runs
    // do (2 of 5 each), together they are in 4 of 5, and in none of the failed runs.
    const get = 'get_reservation_details';
    const update = 'update_reservation_flights';
    const runs: Run[] = [
      [[get, update], 'completed'],
      [[get, update], 'completed'],
      [[get, get, update], 'completed'],
      [[get, get, get, update], 'completed'],
      [['search_direct_flight', update], 'completed'],
      ...Array.from({ length: 4 }, (): Run => [['search_direct_flight', update], 'failed']),
    ];
    await withRecordedRuns({ taskType: update, domain: 'airline' }, runs, async (memory) => {
      const reported = await memory.patterns.relevant({
        domain: 'airline',
        taskType: update,
        types: ['tool_sequence'],
      });
      expect(
        reported.map((hit) => [hit.pattern.summary, hit.pattern.successes, hit.pattern.support]),
      ).toEqual([[`${get} → ${update}`, 4, 4]]);
      // The repeat is still its own pattern, counted over the runs that repeated.
      const repeated = patternId({
        patternType: 'tool_sequence',
        domain: 'airline',
        taskType: update,
        data: { actions: [`${get}×2+`, update] },
      });
      expect(await memory.patterns.get(repeated)).toMatchObject({ support: 2, successes: 2 });
    });
  });

  it('gives a sequence and its forms with run counts one variantKey, other sequences another', () => {
    const miner = createToolSequenceMiner({ maxRepeat: 3 });
    const key = (...actions: string[]) => miner.variantKey?.({ actions });
    expect(key('Search×2+', 'Finish')).toBe(key('Search', 'Finish'));
    expect(key('Search×3+', 'Lookup×2')).toBe(key('Search', 'Lookup'));
    expect(key('Lookup', 'Finish')).not.toBe(key('Search', 'Finish'));
    expect(key('Finish', 'Search')).not.toBe(key('Search', 'Finish'));
  });

  it('lets relevantPatterns report other recipes before a second form of one', async () => {
    // Good runs plan, then search several times, then finish; failed runs search once and finish.
    // `plan → search×2+` and `plan → search` are one recipe with the same 5 of 5 runs.
    const runs: Run[] = [
      ...Array.from({ length: 5 }, (): Run => [['plan', 'search', 'search', 'finish'], 'completed']),
      ...Array.from({ length: 5 }, (): Run => [['search', 'finish'], 'failed']),
    ];
    await withRecordedRuns({ taskType: 'research', domain: 'web' }, runs, async (memory) => {
      const summaries = async (input: { limit: number; groupVariants?: boolean }) =>
        (
          await memory.patterns.relevant({
            domain: 'web',
            taskType: 'research',
            types: ['tool_sequence'],
            ...input,
          })
        ).map((hit) => hit.pattern.summary);
      // In rank order, the two forms take two of three places (equal evidence: ties go by id).
      expect(await summaries({ limit: 3, groupVariants: false })).toEqual([
        'plan → finish',
        'plan → search×2+',
        'plan → search',
      ]);
      expect(await summaries({ limit: 3 })).toEqual([
        'plan → finish',
        'plan → search×2+',
        'search×2+ → finish',
      ]);
      // The second form still comes, after every other recipe.
      expect((await summaries({ limit: 10 })).at(-1)).toBe('plan → search');
    });
  });

  it('counts a run whose final answer failed as evidence against its sequence', async () => {
    const candidates = await mineOne({
      taskType: 'qa',
      status: 'failed',
      steps: [
        { action: 'Search[Nick Park]', success: true },
        { action: 'Finish[1990]', success: false, result: 'wrong answer' },
      ],
    });
    expect(candidates).toEqual([
      expect.objectContaining({ data: { actions: ['Search', 'Finish'] }, success: false }),
    ]);
  });

  it('marks sequences from a failed episode as evidence against them', async () => {
    const [candidate] = await mineOne(episodes[1]!);
    expect(candidate).toMatchObject({ data: { actions: ['search_code', 'edit_file'] }, success: false });
  });

  it('takes its options: normaliser, lengths, repeats folded or only counted, failed steps left out', async () => {
    const candidates = await mineOne(episodes[0]!, {
      normalizeAction: (action: string) => action.toUpperCase(),
      maxLength: 2,
      window: 2,
      maxRepeat: 1,
      skipFailedSteps: true,
    });
    expect(candidates.map((c) => c.data.actions)).toContainEqual(['EDIT_FILE SRC/A.TS', 'RUN_TESTS AUTH']);
    expect(candidates.every((c) => c.data.actions.length === 2)).toBe(true);
    const folded = await mineOne(episodes[0]!, { maxRepeat: 1, maxLength: 2, window: 2 });
    const counted = await mineOne(episodes[0]!, { generalizeRuns: false, maxLength: 2, window: 2 });
    expect(counted.map((c) => c.data.actions.join(' '))).toEqual([
      'read_file×2+ edit_file',
      'edit_file run_tests×2+',
    ]);
    expect(folded.map((c) => c.data.actions.join(' '))).toEqual([
      'read_file edit_file',
      'edit_file run_tests',
    ]);
  });

  it('refuses bad options with an INVALID_OPTIONS error naming the field', () => {
    expect(() => createToolSequenceMiner({ minLength: 3, maxLength: 2 })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        issues: [expect.objectContaining({ path: 'maxLength' })],
      }),
    );
    expect(() => createToolSequenceMiner({ window: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    expect(() => createToolSequenceMiner({ minSuccessShare: 1.5 })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        issues: [expect.objectContaining({ path: 'minSuccessShare' })],
      }),
    );
  });

  it('asks for half of the successful runs by default, and for none with minSuccessShare 0', () => {
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
        ...Array.from({ length: 5 }, (): [string, string[], 'completed'] => [
          'debugging',
          ['read_file', 'edit_file', 'run_tests'],
          'completed',
        ]),
        ...Array.from({ length: 4 }, (): [string, string[], 'failed'] => [
          'debugging',
          ['search_code', 'run_tests'],
          'failed',
        ]),
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
        support: 5,
        successes: 5,
        summary: 'read_file → edit_file',
      });
      const [top] = await memory.patterns.relevant({ taskType: 'debugging', types: ['tool_sequence'] });
      expect(top?.pattern.taskType).toBe('debugging');
      expect(top?.lift).toBeCloseTo(1 / (5 / 9));
      expect(top?.liftLower).toBeGreaterThan(1);
    } finally {
      await memory.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
