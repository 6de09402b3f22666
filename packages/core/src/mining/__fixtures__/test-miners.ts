import type { PatternMinerV1 } from '@episodic/plugin';
import { toolName } from '@episodic/plugin';
import { z } from 'zod';

/**
 * Small but real miners for the engine's tests (core cannot depend on the miner packages, which
 * depend on it): consecutive tool pairs per task type, and one domain-wide pattern per episode
 * that reports the history it was shown, so tests can see exactly what the engine passed.
 */
export function createActionPairMiner(): PatternMinerV1<{ first: string; then: string }> {
  return {
    specificationVersion: 'v1',
    patternType: 'action_pair',
    dataSchema: z.strictObject({ first: z.string(), then: z.string() }),
    describe: (data) => `${data.first} then ${data.then}`,
    mine({ episode, succeeded, signal }) {
      signal?.throwIfAborted();
      const seen = new Map<string, { first: string; then: string }>();
      const steps = episode.steps.slice(0, 1000);
      for (let i = 1; i < steps.length; i += 1) {
        const data = { first: toolName(steps[i - 1]!.action), then: toolName(steps[i]!.action) };
        seen.set(JSON.stringify(data), data);
      }
      return [...seen.values()].map((data) => ({
        data,
        success: succeeded,
        perTaskType: true,
        measurements: { steps: episode.steps.length },
      }));
    },
  };
}

export function createHistoryProbeMiner(): PatternMinerV1<{ probe: string }> {
  return {
    specificationVersion: 'v1',
    patternType: 'history_probe',
    dataSchema: z.strictObject({ probe: z.string() }),
    mine({ episode, succeeded, history, signal }) {
      signal?.throwIfAborted();
      if (episode.steps.length === 0) return [];
      return [
        {
          data: { probe: 'run' },
          success: succeeded,
          measurements: {
            taskEpisodesBefore: history.taskType.episodes,
            domainEpisodesBefore: history.domain.episodes,
            domainSuccessesBefore: history.domain.successes,
            taskMedianStepsBefore: history.taskType.steps?.median ?? -1,
          },
        },
      ];
    },
  };
}
