import type { EpisodeMeasures } from './episode-measures.js';
import {
  addToHistogram,
  countInHistogram,
  emptyHistogram,
  type Histogram,
  removeFromHistogram,
  toDistribution,
} from './histogram.js';
import type { Baseline, Distribution } from './pattern-miner.js';

/** What `pattern_baselines.stats` holds for one domain, or one domain and task type. */
export interface BaselineStats {
  episodes: number;
  successes: number;
  steps: Histogram;
  durationMs: Histogram;
  successful: { steps: Histogram; durationMs: Histogram };
}

export function emptyBaselineStats(): BaselineStats {
  return {
    episodes: 0,
    successes: 0,
    steps: emptyHistogram(),
    durationMs: emptyHistogram(),
    successful: { steps: emptyHistogram(), durationMs: emptyHistogram() },
  };
}

function addMeasures(into: { steps: Histogram; durationMs: Histogram }, measures: EpisodeMeasures) {
  return {
    steps: addToHistogram(into.steps, measures.steps),
    durationMs:
      measures.durationMs === null ? into.durationMs : addToHistogram(into.durationMs, measures.durationMs),
  };
}

/** A copy of `stats` that also counts one more finished episode. */
export function addEpisodeToStats(
  stats: BaselineStats,
  measures: EpisodeMeasures,
  succeeded: boolean,
): BaselineStats {
  return {
    episodes: stats.episodes + 1,
    successes: stats.successes + (succeeded ? 1 : 0),
    ...addMeasures(stats, measures),
    successful: succeeded ? addMeasures(stats.successful, measures) : stats.successful,
  };
}

function removeMeasures(from: { steps: Histogram; durationMs: Histogram }, measures: EpisodeMeasures) {
  return {
    steps: removeFromHistogram(from.steps, measures.steps),
    durationMs:
      measures.durationMs === null
        ? from.durationMs
        : removeFromHistogram(from.durationMs, measures.durationMs),
  };
}

/** A copy of `stats` without one episode it counted: the inverse of {@link addEpisodeToStats}. */
export function removeEpisodeFromStats(
  stats: BaselineStats,
  measures: EpisodeMeasures,
  succeeded: boolean,
): BaselineStats {
  return {
    episodes: stats.episodes - 1,
    successes: stats.successes - (succeeded ? 1 : 0),
    ...removeMeasures(stats, measures),
    successful: succeeded ? removeMeasures(stats.successful, measures) : stats.successful,
  };
}

/**
 * Counts one finished episode once more (`by` 1) or once less (`by` −1) in `stats`, in place: what
 * {@link addEpisodeToStats} and {@link removeEpisodeFromStats} do to a copy.
 */
export function countEpisodeInStats(
  stats: BaselineStats,
  measures: EpisodeMeasures,
  succeeded: boolean,
  by: 1 | -1,
): void {
  stats.episodes += by;
  if (succeeded) stats.successes += by;
  for (const part of succeeded ? [stats, stats.successful] : [stats]) {
    countInHistogram(part.steps, measures.steps, by);
    if (measures.durationMs !== null) countInHistogram(part.durationMs, measures.durationMs, by);
  }
}

/** Computed on first read, then kept. */
function lazyDistribution(histogram: Histogram): () => Distribution | null {
  let distribution: Distribution | null | undefined;
  return () => {
    if (distribution === undefined) distribution = toDistribution(histogram);
    return distribution;
  };
}

/**
 * The view a miner sees. Its distributions are computed when first read: most miners read one or
 * two of the four, or none, and a forget takes many views to find the few histories that changed.
 */
export function toBaseline(stats: BaselineStats): Baseline {
  const steps = lazyDistribution(stats.steps);
  const durationMs = lazyDistribution(stats.durationMs);
  const successfulSteps = lazyDistribution(stats.successful.steps);
  const successfulDurationMs = lazyDistribution(stats.successful.durationMs);
  return {
    episodes: stats.episodes,
    successes: stats.successes,
    successRate: stats.episodes === 0 ? null : stats.successes / stats.episodes,
    get steps() {
      return steps();
    },
    get durationMs() {
      return durationMs();
    },
    successful: {
      get steps() {
        return successfulSteps();
      },
      get durationMs() {
        return successfulDurationMs();
      },
    },
  };
}
