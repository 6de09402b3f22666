/** Standard normal CDF, from the Abramowitz–Stegun 7.1.26 approximation of erf (error < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** A success rate after `successes` of `trials`, from a prior worth two runs at the scope's base rate. */
function posterior(successes: number, trials: number, baseRate: number) {
  const mean = (successes + 2 * baseRate) / (trials + 2);
  return { mean, variance: (mean * (1 - mean)) / (trials + 3) };
}

/**
 * How surely the episodes that show a pattern succeed more often than the other episodes of its
 * scope: the probability that the first success rate is the higher (normal approximation of the
 * two Beta posteriors, each from a prior worth two runs at the scope's base rate). ½ when the
 * evidence cannot tell them apart, as for a pattern every run shows; near 1 when many runs with
 * the pattern succeed and the runs without it do not. Compared with the rest of the scope rather
 * than a bound on its own rate, so a small scope can show a clear difference and a common pattern
 * cannot look good by being common. Usage feedback counts as runs with the pattern.
 */
export function beatsRest(
  pattern: { support: number; successes: number; usageCount: number; helpedCount: number },
  scope: { successes: number; episodes: number },
): number {
  if (scope.episodes <= 0) return 0.5;
  const baseRate = Math.min(1, Math.max(0, scope.successes / scope.episodes));
  const restTrials = Math.max(0, scope.episodes - pattern.support);
  const restSuccesses = Math.min(restTrials, Math.max(0, scope.successes - pattern.successes));
  const withIt = posterior(
    pattern.successes + pattern.helpedCount,
    pattern.support + pattern.usageCount,
    baseRate,
  );
  const rest = posterior(restSuccesses, restTrials, baseRate);
  const difference = withIt.mean - rest.mean;
  // Equal rates computed two ways can differ in the last bit: that is no evidence either way.
  if (Math.abs(difference) < 1e-12) return 0.5;
  return normalCdf(difference / Math.sqrt(withIt.variance + rest.variance));
}
