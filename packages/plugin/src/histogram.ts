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

/** A copy of `histogram` with `value` added. */
export function addToHistogram(histogram: Histogram, value: number): Histogram {
  const key = String(bucketOf(value));
  return {
    count: histogram.count + 1,
    sum: histogram.sum + value,
    buckets: { ...histogram.buckets, [key]: (histogram.buckets[key] ?? 0) + 1 },
  };
}

/**
 * A copy of `histogram` without one `value` it counted: what it would be had the value never been
 * added. Exact for the integers it holds (step counts, milliseconds), whose sums stay below 2^53.
 */
export function removeFromHistogram(histogram: Histogram, value: number): Histogram {
  const key = String(bucketOf(value));
  const count = histogram.buckets[key] ?? 0;
  // A spread, not `{ [key]: count, ...others }`: V8 copies these integer keys five times faster so.
  const buckets = { ...histogram.buckets, [key]: count - 1 };
  if (count <= 1) delete buckets[key];
  return { count: histogram.count - 1, sum: histogram.sum - value, buckets };
}

/** The `rank`-th smallest value (1-based), as its bucket's value. */
function valueAtRank(sortedBuckets: readonly [number, number][], rank: number): number {
  let seen = 0;
  for (const [bucket, count] of sortedBuckets) {
    seen += count;
    if (seen >= rank) return bucketValue(bucket);
  }
  return bucketValue(sortedBuckets.at(-1)?.[0] ?? 0);
}

export function toDistribution(histogram: Histogram): Distribution | null {
  if (histogram.count === 0) return null;
  const sorted = Object.entries(histogram.buckets)
    .map(([bucket, count]): [number, number] => [Number(bucket), count])
    .sort((a, b) => a[0] - b[0]);
  const n = histogram.count;
  const median =
    (valueAtRank(sorted, Math.floor((n + 1) / 2)) + valueAtRank(sorted, Math.ceil((n + 1) / 2))) / 2;
  return { count: n, mean: histogram.sum / n, median };
}
