import { type Evidence, keyList, type MeasurementTotals } from './evidence.js';

/** What some links of a pattern contributed: `times` links contributed exactly this. */
export interface Contribution {
  success: boolean;
  measurements: Record<string, number>;
  times: number;
}

/** A check the subtraction needs: does a remaining link still measure `value` under `key`? */
export interface ExtremeProbe {
  key: string;
  value: number;
}

/** Keys a JSON path can name as `$."key"`. */
const pathSafe = (key: string) => !/["\\]/.test(key);

/**
 * The evidence a fold of the remaining links gives, computed from the stored evidence without
 * `removed` (the contributions of links about to go), or `null` when that cannot be done exactly
 * and the links must be folded again. It can when the pattern is `orderFree` (every link gave
 * integers under the same keys in the same order, so each key's count is the support and the key
 * order stays) and its sums stay below 2^53 (bounded by count × largest magnitude): then support,
 * successes, counts and sums subtract exactly. A minimum or maximum equal to a removed value stays
 * only if a remaining link still has it: when the values span one integer (0/1 flags) the counts
 * of each extreme follow from the sum; otherwise each such extreme is an `ExtremeProbe` to check.
 */
export function subtractEvidence(
  stored: Evidence,
  removed: readonly Contribution[],
): { evidence: Evidence; probes: ExtremeProbe[] } | null {
  if (stored.orderFree !== true) return null;
  const keys = keyList(stored.measurements);
  const totals = Object.entries(stored.measurements);
  let magnitude = 0;
  for (const [, { count, min, max }] of totals) magnitude += count * Math.max(Math.abs(min), Math.abs(max));
  if (!Number.isSafeInteger(magnitude)) return null;
  let times = 0;
  let successes = 0;
  for (const contribution of removed) {
    if (keyList(contribution.measurements) !== keys) return null;
    if (!Object.values(contribution.measurements).every(Number.isInteger)) return null;
    times += contribution.times;
    if (contribution.success) successes += contribution.times;
  }
  const support = stored.support - times;
  if (support < 0 || stored.successes - successes < 0) return null;
  const probes: ExtremeProbe[] = [];
  const measurements: Record<string, MeasurementTotals> = {};
  for (const [key, { count, sum, min, max }] of totals) {
    const values = removed.map(({ measurements, times }) => ({ value: measurements[key] ?? 0, times }));
    const after = {
      count: count - times,
      sum: sum - values.reduce((total, { value, times }) => total + value * times, 0),
      min,
      max,
    };
    const removedAt = (extreme: number) =>
      values.reduce((total, { value, times }) => total + (value === extreme ? times : 0), 0);
    if (max - min === 1) {
      // Integers in [min, max] are min or max: the sum says how many of each there are.
      const atMax = sum - min * count - removedAt(max);
      const atMin = after.count - atMax;
      after.min = atMin > 0 ? min : max;
      after.max = atMax > 0 ? max : min;
    } else if (max > min) {
      for (const extreme of [min, max]) {
        if (removedAt(extreme) === 0) continue;
        if (!pathSafe(key)) return null;
        probes.push({ key, value: extreme });
      }
    }
    measurements[key] = after;
  }
  return {
    evidence: { ...stored, support, successes: stored.successes - successes, measurements },
    probes,
  };
}

/** One `ExtremeProbe` as SQL: a row when a link of the pattern, not excluded, still measures the value. */
export function probeSql(excluded: string) {
  return `SELECT 1 FROM episode_patterns l WHERE l.pattern_id = ? AND json_extract(l.measurements, ?) = ?
    AND l.episode_id NOT IN (SELECT id FROM temp.${excluded}) LIMIT 1`;
}

export const probePath = (key: string) => `$."${key}"`;
