import type { Distribution } from './pattern-miner.js';

/**
 * A mergeable, bounded summary of non-negative numbers: count, sum and a sparse histogram whose
 * buckets are exact below 16 and 5 % wide above. A duration of 2^31 ms lands in bucket ~470,
 * so a histogram never holds more than a few hundred entries however many values it has seen.
 * It is stored as JSON, so its shape is plain data.
 */
export interface Histogram {
  count: number;
  sum: number;
  /** Bucket index → how many values fell in it. */
  buckets: Record<string, number>;
}

const exactBelow = 16;
const growth = 1.05;

export function emptyHistogram(): Histogram {
  return { count: 0, sum: 0, buckets: {} };
}

function bucketOf(value: number): number {
  if (value < exactBelow) return Math.max(0, Math.floor(value));
  return exactBelow + Math.floor(Math.log(value / exactBelow) / Math.log(growth));
}

/** The value a bucket stands for: itself when exact, else its geometric middle. */
function bucketValue(bucket: number): number {
  if (bucket < exactBelow) return bucket;
  return exactBelow * growth ** (bucket - exactBelow + 0.5);
}

/**
 * Counts `value` once more (`by` 1) or once less (`by` −1), in place: for a walk over many
 * episodes that would otherwise copy the histogram at each. Exact for the integers it holds.
 */
export function countInHistogram(histogram: Histogram, value: number, by: 1 | -1): void {
  const key = String(bucketOf(value));
  const count = (histogram.buckets[key] ?? 0) + by;
  histogram.count += by;
  histogram.sum += by * value;
  if (count > 0) histogram.buckets[key] = count;
  else delete histogram.buckets[key];
}

function counted(histogram: Histogram, value: number, by: 1 | -1): Histogram {
  const copy = { ...histogram, buckets: { ...histogram.buckets } };
  countInHistogram(copy, value, by);
  return copy;
}

/** A copy of `histogram` with `value` added. */
export function addToHistogram(histogram: Histogram, value: number): Histogram {
  return counted(histogram, value, 1);
}

/**
 * A copy of `histogram` without one `value` it counted: what it would be had the value never been
 * added. Exact for the integers it holds (step counts, milliseconds), whose sums stay below 2^53.
 */
export function removeFromHistogram(histogram: Histogram, value: number): Histogram {
  return counted(histogram, value, -1);
}

export function toDistribution(histogram: Histogram): Distribution | null {
  if (histogram.count === 0) return null;
  const n = histogram.count;
  const ranks = [Math.floor((n + 1) / 2), Math.ceil((n + 1) / 2)];
  const values: number[] = [];
  let seen = 0;
  let last = 0;
  // Bucket keys are array indices, which an object lists in ascending order: no sort needed.
  for (const key of Object.keys(histogram.buckets)) {
    last = Number(key);
    seen += histogram.buckets[key] ?? 0;
    while (values.length < ranks.length && seen >= (ranks[values.length] as number)) {
      values.push(bucketValue(last));
    }
    if (values.length === ranks.length) break;
  }
  // Ranks past the counted values (a histogram whose buckets sum short) read as the last bucket.
  while (values.length < ranks.length) values.push(bucketValue(last));
  return { count: n, mean: histogram.sum / n, median: ((values[0] as number) + (values[1] as number)) / 2 };
}
