import { wilsonLowerBound } from '@episodic/plugin';

/** One measurement aggregated over a pattern's supporting episodes. */
export interface MeasurementTotals {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** What a pattern row accumulates: kept in columns, so reads can filter and sort on them. */
export interface Evidence {
  /** Episodes that show the pattern. */
  support: number;
  /** Of those, how many were evidence of success. */
  successes: number;
  /** Distinct episodes that reported using the pattern (`recordPatternUsage`). */
  usageCount: number;
  /** Of those, how many said it helped. */
  helpedCount: number;
  measurements: Record<string, MeasurementTotals>;
  /**
   * Whether every supporting episode contributed integer measurements under the same keys in the
   * same order (`patterns.order_free`): the fold then gives the same evidence in any order while
   * its sums stay below 2^53, so a forget can subtract a contribution instead of folding every
   * link again (`subtract-evidence.ts`). `null`: not known (rows mined before schema 1.17.0).
   */
  orderFree: boolean | null;
}

export function emptyEvidence(): Evidence {
  return { support: 0, successes: 0, usageCount: 0, helpedCount: 0, measurements: {}, orderFree: true };
}

const integers = (measurements: Readonly<Record<string, number>>) =>
  Object.values(measurements).every((value) => Number.isInteger(value));

export const keyList = (measurements: Readonly<Record<string, unknown>>) =>
  Object.keys(measurements).join('\u0000');

/**
 * `orderFree` after one more contribution: a property of the whole set of contributions, so any
 * fold order gives the same. While it holds, every contribution so far listed the stored keys.
 */
function orderFreeWith(evidence: Evidence, measurements: Readonly<Record<string, number>>): boolean | null {
  if (evidence.support === 0) return integers(measurements);
  if (evidence.orderFree !== true) return evidence.orderFree;
  return integers(measurements) && keyList(measurements) === keyList(evidence.measurements);
}

/**
 * The evidence after one more supporting episode, or `times` more that contributed the same: the
 * caller makes sure `value * times` is exact (integers, see `refold-evidence.ts`).
 */
export function addSupport(
  evidence: Evidence,
  success: boolean,
  measurements: Readonly<Record<string, number>>,
  times = 1,
): Evidence {
  const merged: Record<string, MeasurementTotals> = { ...evidence.measurements };
  for (const [name, value] of Object.entries(measurements)) {
    const totals = merged[name];
    merged[name] =
      totals === undefined
        ? { count: times, sum: value * times, min: value, max: value }
        : {
            count: totals.count + times,
            sum: totals.sum + value * times,
            min: Math.min(totals.min, value),
            max: Math.max(totals.max, value),
          };
  }
  return {
    ...evidence,
    orderFree: orderFreeWith(evidence, measurements),
    support: evidence.support + times,
    successes: evidence.successes + (success ? times : 0),
    measurements: merged,
  };
}

export function successRateOf(evidence: Pick<Evidence, 'support' | 'successes'>): number {
  return evidence.support === 0 ? 0 : evidence.successes / evidence.support;
}

/**
 * What patterns are ranked by: the Wilson lower bound over the mined evidence and the usage
 * feedback together, each use counted as one more trial that succeeded when it helped. A pattern
 * that keeps not helping sinks even if the episodes that show it went well, and one that is
 * seen rarely but helps every time rises.
 */
export function rankScore(
  evidence: Pick<Evidence, 'support' | 'successes' | 'usageCount' | 'helpedCount'>,
): number {
  return wilsonLowerBound(evidence.successes + evidence.helpedCount, evidence.support + evidence.usageCount);
}

/** An evidence row as read back (`support`, `successes`, `usage_count`, `helped_count`, `measurements`, `order_free`). */
export function parseEvidence(row: Record<string, unknown>): Evidence {
  return {
    support: Number(row.support ?? 0),
    successes: Number(row.successes ?? 0),
    usageCount: Number(row.usage_count ?? 0),
    helpedCount: Number(row.helped_count ?? 0),
    measurements:
      row.measurements === null || row.measurements === undefined
        ? {}
        : (JSON.parse(String(row.measurements)) as Record<string, MeasurementTotals>),
    orderFree: row.order_free === null || row.order_free === undefined ? null : Number(row.order_free) === 1,
  };
}

/** The derived columns a pattern row stores beside `support` and `successes`. */
export function evidenceColumns(evidence: Evidence) {
  return {
    successRate: successRateOf(evidence),
    wilsonLower: wilsonLowerBound(evidence.successes, evidence.support),
    score: rankScore(evidence),
    measurements:
      Object.keys(evidence.measurements).length === 0 ? null : JSON.stringify(evidence.measurements),
    orderFree: evidence.orderFree === null ? null : evidence.orderFree ? 1 : 0,
  };
}
