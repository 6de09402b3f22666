import { SeededRandom } from './workloads/random.js';

/** A mean difference between two systems over the same queries, with its bootstrap interval. */
export interface MarginInterval {
  /** Mean of (ours − baseline) over the queries. */
  margin: number;
  low: number;
  high: number;
}

export interface MarginIntervalOptions {
  /** Resamples drawn (default 2,000). */
  draws?: number;
  /** Two-sided coverage of the interval (default 0.95). */
  confidence?: number;
  /** The resampling is seeded so that a figure is the same in every run (default 1). */
  seed?: number;
}

/**
 * The paired bootstrap percentile interval of the mean of `ours[i] − baseline[i]`: queries are
 * resampled with replacement, each keeping both systems' scores. A test split of ~60–90 queries
 * moves a recall figure by .011–.016 per query, so a margin of one or two queries says little by
 * itself; the interval says how far the same systems could land on another sample of queries.
 */
export function pairedMarginInterval(
  ours: readonly number[],
  baseline: readonly number[],
  options: MarginIntervalOptions = {},
): MarginInterval {
  if (ours.length !== baseline.length)
    throw new RangeError(`paired scores differ in length: ${ours.length} and ${baseline.length}`);
  const { draws = 2_000, confidence = 0.95, seed = 1 } = options;
  const differences = ours.map((value, index) => value - (baseline[index] as number));
  const n = differences.length;
  if (n === 0) return { margin: 0, low: 0, high: 0 };
  const mean = (sum: number) => sum / n;
  const random = new SeededRandom(seed);
  const means: number[] = [];
  for (let draw = 0; draw < draws; draw += 1) {
    let sum = 0;
    for (let index = 0; index < n; index += 1) sum += differences[random.int(0, n - 1)] as number;
    means.push(mean(sum));
  }
  means.sort((a, b) => a - b);
  // As many resampled means outside the interval on each side, so that swapping the two systems
  // mirrors it; `floor((1 - tail) * draws)` left one fewer above it than below it.
  const outside = Math.min(Math.floor((draws - 1) / 2), Math.floor(((1 - confidence) / 2) * draws));
  return {
    margin: mean(differences.reduce((sum, value) => sum + value, 0)),
    low: means[outside] as number,
    high: means[draws - 1 - outside] as number,
  };
}
