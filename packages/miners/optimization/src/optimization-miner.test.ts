import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Memory, openMemory } from '@episodic/core';
import { type MineInput, measureEpisode, type PatternMinerV1 } from '@episodic/plugin';
import {
  createMineInputs,
  type EpisodeFixture,
  type StepFixture,
  testPatternMiner,
} from '@episodic/plugin/testing';
import { describe, expect, it } from 'vitest';
import { createOptimizationMiner } from './optimization-miner.js';

const step = (action: string, durationMs = 1000): StepFixture => ({ action, durationMs, success: true });
const usualRun = (): EpisodeFixture => ({
  taskType: 'refactoring',
  steps: [
    'search_code',
    'read_file',
    'read_file',
    'read_file',
    'edit_file',
    'run_tests',
    'edit_file',
    'run_tests',
    'run_tests',
    'lint',
  ].map((a) => step(a)),
});
const shortcut = (status: 'completed' | 'failed' = 'completed'): EpisodeFixture => ({
  taskType: 'refactoring',
  status,
  steps: [step('codemod --rename a b', 2000), step('run_tests', 3000), step('run_tests', 1000)],
});

const episodes = [usualRun(), usualRun(), usualRun(), usualRun(), usualRun(), shortcut()];

testPatternMiner(() => createOptimizationMiner(), { episodes });

const mineLast = async (fixtures: EpisodeFixture[], options = {}) =>
  createOptimizationMiner(options).mine(createMineInputs(fixtures).at(-1)!);

/** Opens a real store on a temp file with this miner, and removes it after `use`. */
async function inRealStore(miner: PatternMinerV1, use: (memory: Memory) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'miner-optimization-'));
  const memory = await openMemory({ url: `file:${join(dir, 'memory.db')}`, cache: false, miners: [miner] });
  try {
    await use(memory);
  } finally {
    await memory.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Records a fixture as an agent would, in domain `repo`; returns its id. */
async function record(memory: Memory, fixture: EpisodeFixture): Promise<string> {
  const episode = await memory.episodes.start({ taskType: 'refactoring', domain: 'repo' });
  await memory.episodes.logSteps(
    episode.id,
    fixture.steps.map((s) => ({ action: s.action, durationMs: s.durationMs ?? undefined, success: true })),
  );
  await memory.episodes.complete(episode.id, { status: fixture.status ?? 'completed' });
  return episode.id;
}

describe('optimization miner', () => {
  it('names the shape of a run markedly shorter than the usual successful run, with the saving', async () => {
    expect(await mineLast(episodes)).toEqual([
      {
        data: { shape: ['codemod', 'run_tests'] },
        success: true,
        perTaskType: true,
        // durations are compared with the baseline's histogram median, exact to about 2.5 %
        measurements: {
          stepSaving: 0.7,
          stepsSaved: 7,
          timeSaving: expect.closeTo(0.4, 1),
          msSaved: expect.closeTo(4000, -3),
        },
      },
    ]);
  });

  it('says nothing before the baseline has enough successful runs, or for a usual run', async () => {
    expect(await mineLast([usualRun(), usualRun(), shortcut()])).toEqual([]);
    expect(await mineLast([usualRun(), usualRun(), shortcut()], { minBaselineEpisodes: 2 })).toHaveLength(1);
    expect(await mineLast([...episodes.slice(0, 5), usualRun()])).toEqual([]);
  });

  it('counts a markedly faster run with as many steps, and compares with successful runs only', async () => {
    const quick: EpisodeFixture = {
      taskType: 'refactoring',
      steps: usualRun().steps.map((s) => ({ ...s, durationMs: 100 })),
    };
    const [candidate] = await mineLast([...episodes.slice(0, 5), quick]);
    expect(candidate?.measurements).toMatchObject({ stepSaving: 0, timeSaving: expect.closeTo(0.9, 1) });
    // failed short runs do not lower the baseline a success is compared with
    const failedShort = { ...shortcut('failed') };
    expect(
      await mineLast([...episodes.slice(0, 5), failedShort, failedShort, failedShort, shortcut()]),
    ).toHaveLength(1);
  });

  it('takes a usual run whose steps were timed at 0, or only some of them, for no shortcut', async () => {
    // Spans whose clocks put each end before its start are recorded as 0 ms.
    const untimed: EpisodeFixture = {
      taskType: 'refactoring',
      steps: usualRun().steps.map((s) => ({ ...s, durationMs: 0 })),
    };
    // Only the first step timed, as an agent timing one slow call does.
    const partly: EpisodeFixture = {
      taskType: 'refactoring',
      steps: usualRun().steps.map((s, index) => ({ ...s, durationMs: index === 0 ? 1000 : null })),
    };
    expect(await mineLast([...episodes.slice(0, 5), untimed])).toEqual([]);
    expect(await mineLast([...episodes.slice(0, 5), partly])).toEqual([]);
  });

  it('records a short failed run as evidence against the shortcut', async () => {
    expect((await mineLast([...episodes.slice(0, 5), shortcut('failed')]))[0]).toMatchObject({
      success: false,
    });
  });

  it('leaves out shapes longer than maxShapeLength and refuses bad options', async () => {
    expect(await mineLast(episodes, { maxShapeLength: 1 })).toEqual([]);
    expect(() => createOptimizationMiner({ minSaving: 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });

  it('keys its history by the usual run a shortcut is compared with, and null for a run that is none', () => {
    const miner = createOptimizationMiner();
    const inputs = createMineInputs([...episodes, usualRun()]);
    expect(inputs.map((input) => miner.historyKey?.(input.history, measureEpisode(input.episode)))).toEqual([
      // Too few runs to have a usual run, then a shortcut, then a usual run: no shortcut.
      ...Array(5).fill(null),
      { steps: 10, durationMs: expect.closeTo(10_000, -3) },
      null,
    ]);
  });

  it('after a forget, mines again only the shortcuts whose usual run changed, as a remine would', async () => {
    const mined: string[] = [];
    const miner = createOptimizationMiner();
    const counting: PatternMinerV1 = {
      ...(miner as PatternMinerV1),
      mine(input: MineInput) {
        mined.push(input.episode.id);
        return miner.mine(input);
      },
    };
    await inRealStore(counting, async (memory) => {
      const ids: string[] = [];
      const shortcuts: string[] = [];
      // Usual runs of 8 to 11 steps, each of its own duration (so the median moves whenever one
      // goes), and a shortcut every fifth run.
      for (let i = 0; i < 30; i += 1) {
        const steps = usualRun()
          .steps.slice(0, 8 + (i % 4))
          .map((s) => ({ ...s, durationMs: 1000 + i }));
        const id = await record(memory, i % 5 === 4 ? shortcut() : { ...usualRun(), steps });
        ids.push(id);
        if (i % 5 === 4) shortcuts.push(id);
      }
      await memory.learning.flush();
      mined.length = 0;
      await memory.admin.forget({ episodeIds: [ids[2]!] });
      // Every later usual run saw another median, but yields no pattern under either: only
      // shortcuts whose usual run changed are mined again.
      expect(mined.length).toBeGreaterThan(0);
      expect(shortcuts).toEqual(expect.arrayContaining(mined));
      // Everything but when each row was last written.
      const patterns = async () =>
        (await memory.patterns.list({ type: 'optimization' })).items.map(({ updatedAt, ...rest }) => rest);
      const afterForget = await patterns();
      expect(afterForget.length).toBeGreaterThan(0);
      await memory.admin.remine();
      expect(await patterns()).toEqual(afterForget);
    });
  });

  it('averages the saving over the episodes that show the shortcut, in a real store', async () => {
    await inRealStore(createOptimizationMiner() as PatternMinerV1, async (memory) => {
      for (const fixture of [...episodes, shortcut(), shortcut('failed')]) {
        await record(memory, fixture);
        await memory.learning.flush();
      }
      const {
        items: [pattern],
      } = await memory.patterns.list({ type: 'optimization' });
      expect(pattern).toMatchObject({
        patternData: { shape: ['codemod', 'run_tests'] },
        support: 3,
        successes: 2,
      });
      expect(pattern?.measurements.stepsSaved?.mean).toBe(7);
    });
  });
});
