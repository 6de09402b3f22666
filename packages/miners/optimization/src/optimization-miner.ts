import {
  type ActionNormalizer,
  type Distribution,
  defineMiner,
  type EpisodeMeasures,
  isActionNormalizer,
  type MiningHistory,
  measureEpisode,
  type PatternMinerV1,
  toolName,
} from '@episodic/plugin';
import { z } from 'zod';

export const optimizationOptionsSchema = z.strictObject({
  /**
   * How much cheaper than the usual successful run an episode must be to count, as a fraction:
   * 0.3 means at least 30 % fewer steps or 30 % less time than the median.
   */
  minSaving: z.number().gt(0).lt(1).default(0.3),
  /** Successful runs of the task type needed before "usual" means anything. */
  minBaselineEpisodes: z.number().int().min(1).default(5),
  /** Longest run shape kept (after collapsing repeats); a longer run is no shortcut to name. */
  maxShapeLength: z.number().int().min(1).max(64).default(12),
  /** Maps an action to what is compared; default: the tool name. */
  normalizeAction: z
    .custom<ActionNormalizer>(isActionNormalizer, 'must be a function (action: string) => string')
    .default(() => toolName),
});
export type OptimizationOptions = z.input<typeof optimizationOptionsSchema>;
type Settings = z.output<typeof optimizationOptionsSchema>;

/** `pattern_data` of an `optimization` pattern: the shape of the run that was markedly cheaper. */
export const optimizationDataSchema = z.strictObject({
  /** The run's actions in order, repeats collapsed. */
  shape: z.array(z.string().min(1).max(200)).min(1).max(64),
});
export type OptimizationData = z.infer<typeof optimizationDataSchema>;

/** The usual successful run's medians, once `minCount` successful runs count; `null` before. */
interface UsualRun {
  steps: number | null;
  durationMs: number | null;
}

function usualMedian(distribution: Distribution | null, minCount: number): number | null {
  return distribution === null || distribution.count < minCount || distribution.median <= 0
    ? null
    : distribution.median;
}

function usualRun(history: MiningHistory, minCount: number): UsualRun {
  const { successful } = history.taskType;
  return {
    steps: usualMedian(successful.steps, minCount),
    durationMs: usualMedian(successful.durationMs, minCount),
  };
}

/** 1 − value / usual, when there is a usual to compare with. */
function savingAgainst(value: number | null, usual: number | null): number | null {
  // A run measured at 0 (spans whose clocks put every end before its start, clamped to 0) is
  // unmeasured, not infinitely fast: the usual median of 0 is treated the same way.
  return value === null || value <= 0 || usual === null ? null : 1 - value / usual;
}

/** What a run saved against the usual run, when it saved enough to count. */
interface Saving {
  usual: UsualRun;
  stepSaving: number | null;
  timeSaving: number | null;
}

/** `null` when the run is not markedly cheaper than the usual run (or there is none yet). */
function markedSaving(history: MiningHistory, measures: EpisodeMeasures, settings: Settings): Saving | null {
  const usual = usualRun(history, settings.minBaselineEpisodes);
  const stepSaving = savingAgainst(measures.steps, usual.steps);
  const timeSaving = savingAgainst(measures.durationMs, usual.durationMs);
  const marked = [stepSaving, timeSaving].some((saving) => saving !== null && saving >= settings.minSaving);
  return marked ? { usual, stepSaving, timeSaving } : null;
}

/**
 * Mines shortcuts: the shape of a run (its actions, repeats collapsed) that took markedly fewer
 * steps, or markedly less time, than the median successful run of the same domain and task type
 * so far (the engine's baseline). The measured saving is recorded with it; seen again, the
 * savings are averaged. A short run that failed counts against the shape, so a shortcut ranks
 * high only if it reliably reaches the outcome.
 */
export const createOptimizationMiner = defineMiner({
  name: 'optimization miner',
  options: optimizationOptionsSchema,
  create(settings): PatternMinerV1<OptimizationData> {
    return {
      specificationVersion: 'v1',
      patternType: 'optimization',
      dataSchema: optimizationDataSchema,
      history: 'taskType',
      // All that `mine` reads of history, for this run: `null` whenever the run is no shortcut, so
      // a forget mines a later run again only if it is a shortcut under the old or the new usual.
      historyKey: (history, measures) => markedSaving(history, measures, settings)?.usual ?? null,
      describe: (data) => `shortcut: ${data.shape.join(' → ')}`,
      mine({ episode, succeeded, history, signal }) {
        signal?.throwIfAborted();
        if (episode.steps.length === 0) return [];
        const measures = measureEpisode(episode);
        const saving = markedSaving(history, measures, settings);
        if (saving === null) return [];
        const { usual, stepSaving, timeSaving } = saving;
        const shape: string[] = [];
        for (const step of episode.steps) {
          const action = settings.normalizeAction(step.action).slice(0, 200);
          if (action === '' || action === shape[shape.length - 1]) continue;
          // Stop reading as soon as the run is too long to be a shortcut worth naming.
          if (shape.push(action) > settings.maxShapeLength) return [];
        }
        if (shape.length === 0) return [];
        const measurements: Record<string, number> = {};
        if (stepSaving !== null && usual.steps !== null) {
          measurements.stepSaving = stepSaving;
          measurements.stepsSaved = usual.steps - measures.steps;
        }
        if (timeSaving !== null && usual.durationMs !== null && measures.durationMs !== null) {
          measurements.timeSaving = timeSaving;
          measurements.msSaved = usual.durationMs - measures.durationMs;
        }
        return [{ data: { shape }, success: succeeded, perTaskType: true, measurements }];
      },
    };
  },
});
