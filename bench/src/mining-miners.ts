import type { Memory, StepInput } from '@episodic/core';
import { createErrorResolutionMiner } from '@episodic/miner-error-resolution';
import { createOptimizationMiner } from '@episodic/miner-optimization';
import { createTestingStrategyMiner } from '@episodic/miner-testing-strategy';
import { createToolSequenceMiner } from '@episodic/miner-tool-sequence';
import type { PatternMinerV1 } from '@episodic/plugin';

/** The four built-in miners with their defaults, as `episodic serve` runs them. */
export const defaultMiners = (): PatternMinerV1[] => [
  createToolSequenceMiner() as PatternMinerV1,
  createErrorResolutionMiner() as PatternMinerV1,
  createOptimizationMiner() as PatternMinerV1,
  createTestingStrategyMiner() as PatternMinerV1,
];

/** A finished run to record: what every mining data set is turned into. */
export interface RecordedRun {
  domain: string;
  taskType: string;
  context: string;
  steps: StepInput[];
  succeeded: boolean;
}

/** Records runs through the public API, then waits until the learners have mined them all. */
export async function recordRuns(memory: Memory, runs: readonly RecordedRun[]) {
  for (const run of runs) {
    const { id } = await memory.episodes.start({
      taskType: run.taskType,
      domain: run.domain,
      context: run.context,
    });
    if (run.steps.length > 0) await memory.episodes.logSteps(id, run.steps);
    await memory.episodes.complete(id, { status: run.succeeded ? 'completed' : 'failed' });
  }
  await memory.learning.flush();
}
