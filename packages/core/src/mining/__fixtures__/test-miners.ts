import type { MiningHistory, PatternMinerV1 } from '@episodic/plugin';
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
    history: 'none',
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

/**
 * Reports the history it was shown as measurements: all of it (`use` 'domain', the contract's
 * default, left undeclared), or only the task type's (`history: 'taskType'`, pattern type
 * `task_history_probe`), as a miner comparing a run with the usual one of its task type does.
 */
export function createHistoryProbeMiner(
  use: 'domain' | 'taskType' = 'domain',
): PatternMinerV1<{ probe: string }> {
  return {
    specificationVersion: 'v1',
    patternType: use === 'domain' ? 'history_probe' : 'task_history_probe',
    ...(use === 'taskType' ? { history: 'taskType' as const } : {}),
    dataSchema: z.strictObject({ probe: z.string() }),
    mine({ episode, succeeded, history, signal }) {
      signal?.throwIfAborted();
      if (episode.steps.length === 0) return [];
      const task = {
        taskEpisodesBefore: history.taskType.episodes,
        taskMedianStepsBefore: history.taskType.steps?.median ?? -1,
      };
      return [
        {
          // Per task type, a run longer than the usual one so far is a pattern of its own.
          data: {
            probe:
              use === 'taskType' && episode.steps.length > (history.taskType.steps?.median ?? 0)
                ? 'long run'
                : 'run',
          },
          success: succeeded,
          perTaskType: use === 'taskType',
          measurements:
            use === 'taskType'
              ? task
              : {
                  ...task,
                  domainEpisodesBefore: history.domain.episodes,
                  domainSuccessesBefore: history.domain.successes,
                },
        },
      ];
    },
  };
}

/**
 * Compares a run with the median step count of its task type's runs so far, once three count,
 * as the optimization miner compares with the usual run, and declares that median as its
 * `historyKey`: a forget mines a later episode again only when the median it saw changed.
 */
export function createMedianProbeMiner(): PatternMinerV1<{ run: string }> {
  const usualSteps = (history: MiningHistory) => {
    const steps = history.taskType.steps;
    return steps === null || steps.count < 3 ? null : steps.median;
  };
  return {
    specificationVersion: 'v1',
    patternType: 'median_probe',
    history: 'taskType',
    historyKey: usualSteps,
    dataSchema: z.strictObject({ run: z.string() }),
    mine({ episode, succeeded, history, signal }) {
      signal?.throwIfAborted();
      const usual = usualSteps(history);
      if (episode.steps.length === 0 || usual === null) return [];
      return [
        {
          data: { run: episode.steps.length > usual ? 'longer' : 'usual' },
          success: succeeded,
          perTaskType: true,
          measurements: { usualSteps: usual },
        },
      ];
    },
  };
}
