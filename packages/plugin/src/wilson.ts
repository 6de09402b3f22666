/** z for a two-sided 95 % interval. */
const z = 1.959963984540054;

/**
 * The lower bound of the Wilson score interval (95 %) for `successes` out of `trials`: the
 * success rate we can be confident of. It ranks 9 out of 10 above 1 out of 1, which a plain
 * rate does not, and it is 0 when there is no evidence.
 */
export function wilsonLowerBound(successes: number, trials: number): number {
  // No success is no evidence of any rate: exactly 0, not a rounding error above it.
  if (trials <= 0 || successes <= 0) return 0;
  const p = Math.min(Math.max(successes / trials, 0), 1);
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return Math.max(0, (centre - spread) / (1 + z2 / trials));
}
