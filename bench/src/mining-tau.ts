import { join } from 'node:path';
import { type Memory, openMemory } from '@episodic/core';
import type { BenchmarkContext } from './benchmark.js';
import { defaultMiners, recordRuns } from './mining-miners.js';
import {
  errorCases,
  isErrorHit,
  type SequenceScores,
  scoreSequences,
  type TaskTruth,
} from './mining-quality.js';
import type { TauEpisode } from './workloads/tau-airline.js';
import { readTools } from './workloads/tau-airline.js';

const domain = 'airline';
/** Sequences judged per task type. */
export const sequencesPerTaskType = 10;
/** Resolutions looked at per error. */
export const errorTopK = 3;
/** The lift floors (`minLift`, off by default) and text floors the dev split compares; test is scored with the defaults only. */
export const liftSweep = [0.8, 0.9, 1, 1.1, 1.25] as const;
export const textSweep = [0.3, 0.4, 0.5, 0.6, 0.7] as const;

/** One ground truth per task. */
function truthsOf(episodes: readonly TauEpisode[]): TaskTruth[] {
  const byTask = new Map<number, TauEpisode>();
  for (const episode of episodes) if (!byTask.has(episode.taskId)) byTask.set(episode.taskId, episode);
  return [...byTask.values()].map((episode) => ({
    taskType: episode.taskType,
    actions: episode.groundTruth,
    firstWrite: episode.groundTruth.find((name) => !readTools.has(name)) ?? null,
  }));
}

async function storeOf(
  context: BenchmarkContext,
  name: string,
  episodes: readonly TauEpisode[],
): Promise<Memory> {
  const memory = await openMemory({
    url: `file:${join(context.tempDir, `${name}.db`)}`,
    taskTypes: [...new Set(episodes.map((episode) => episode.taskType))].sort(),
    miners: defaultMiners(),
  });
  await recordRuns(
    memory,
    episodes.map((episode) => ({ ...episode, domain })),
  );
  return memory;
}

export interface ErrorScores {
  cases: number;
  hits: number;
  hitRate: number;
  /** On dev: the hit rate with each text floor of `textSweep`. */
  byTextFloor: { floor: number; hitRate: number }[];
}

/**
 * What an error case is held back with: its own run (`run`: the task's other trials, with the same
 * instruction and often the same errors, stay in the store, as an agent's earlier tries at a task do
 * in use), or every run of its task (`task`: only other tasks can teach the resolution, the stricter
 * test of whether what was learned carries over).
 */
export type HeldOut = 'run' | 'task';

/**
 * Each error occurrence held back in turn: a store of every other run of the split (`heldOut`
 * says which runs go with it), then `relevantPatterns({ text: error })` asked for what resolves it.
 */
async function scoreErrors(
  context: BenchmarkContext,
  name: string,
  episodes: readonly TauEpisode[],
  sweep: boolean,
  heldOut: HeldOut,
): Promise<ErrorScores> {
  const scores: ErrorScores = {
    cases: 0,
    hits: 0,
    hitRate: 0,
    byTextFloor: textSweep.map((floor) => ({ floor, hitRate: 0 })),
  };
  const swept = textSweep.map(() => 0);
  for (const [index, episode] of episodes.entries()) {
    const cases = errorCases(episode.steps);
    if (cases.length === 0) continue;
    const memory = await storeOf(
      context,
      `${name}-without-${heldOut}-${index}`,
      episodes.filter((other) => (heldOut === 'run' ? other !== episode : other.taskId !== episode.taskId)),
    );
    try {
      for (const errorCase of cases) {
        scores.cases += 1;
        if (await isErrorHit(memory, domain, errorCase, errorTopK)) scores.hits += 1;
        if (!sweep) continue;
        for (const [at, floor] of textSweep.entries())
          if (await isErrorHit(memory, domain, errorCase, errorTopK, { minTextMatch: floor }))
            swept[at] = (swept[at] ?? 0) + 1;
      }
    } finally {
      await memory.close();
    }
  }
  scores.hitRate = scores.cases === 0 ? 0 : scores.hits / scores.cases;
  scores.byTextFloor = sweep
    ? textSweep.map((floor, at) => ({
        floor,
        hitRate: scores.cases === 0 ? 0 : (swept[at] ?? 0) / scores.cases,
      }))
    : [];
  return scores;
}

export interface TauSplitQuality {
  sequences: SequenceScores;
  /** On dev: the sequence scores with each lift floor of `liftSweep`. */
  byLiftFloor: { floor: number; scores: SequenceScores }[];
  errors: ErrorScores;
  /** The same with each error's whole task held back (`HeldOut`); no sweep. */
  errorsTaskHeldOut: ErrorScores;
}

/** Sequence precision and recall, and error hit@3, on the runs of one split, default settings. */
export async function tauQuality(
  context: BenchmarkContext,
  name: string,
  episodes: readonly TauEpisode[],
  sweep: boolean,
): Promise<TauSplitQuality> {
  context.progress(`mining: τ-bench ${name}, ${episodes.length} runs, sequences`);
  const memory = await storeOf(context, `tau-${name}`, episodes);
  const truths = truthsOf(episodes);
  let sequences: SequenceScores;
  const byLiftFloor: TauSplitQuality['byLiftFloor'] = [];
  try {
    sequences = await scoreSequences(memory, domain, truths, { limit: sequencesPerTaskType });
    if (sweep)
      for (const floor of liftSweep)
        byLiftFloor.push({
          floor,
          scores: await scoreSequences(memory, domain, truths, {
            limit: sequencesPerTaskType,
            minLift: floor,
          }),
        });
  } finally {
    await memory.close();
  }
  context.progress(`mining: τ-bench ${name}, each error held back in turn (with its run, then its task)`);
  const errors = await scoreErrors(context, `tau-${name}`, episodes, sweep, 'run');
  const errorsTaskHeldOut = await scoreErrors(context, `tau-${name}`, episodes, false, 'task');
  return { sequences, byLiftFloor, errors, errorsTaskHeldOut };
}
