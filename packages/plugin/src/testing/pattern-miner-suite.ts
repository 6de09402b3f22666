import { describe, it } from 'vitest';
import {
  type PatternMinerFactory,
  type PatternMinerSuiteOptions,
  patternMinerChecks,
  resolveSuiteOptions,
} from './pattern-miner-checks.js';
import { settleGuarded } from './settle-guard.js';

/**
 * The conformance suite for a `PatternMinerV1`: call it in your miner's tests (vitest) and it
 * adds one test per guarantee the engine relies on — the contract's fields, data that validates
 * against its own schema, determinism, canonical data, no mutation of the input, nothing from an
 * empty episode, bounded work on a long episode, and abort.
 *
 * @example
 * import { testPatternMiner } from '@episodic/plugin/testing';
 * testPatternMiner(() => createToolSequenceMiner(), { episodes: [{ steps: [{ action: 'read' }, { action: 'edit' }] }] });
 */
export function testPatternMiner<Data>(
  factory: PatternMinerFactory<Data>,
  options: PatternMinerSuiteOptions,
): void {
  const resolved = resolveSuiteOptions(options);
  const guarded = settleGuarded(factory as PatternMinerFactory, 'mine', resolved.callTimeoutMs);
  describe('PatternMinerV1 conformance', () => {
    for (const check of patternMinerChecks) {
      it(check.name, { timeout: resolved.timeoutMs }, () => check.run(guarded, resolved));
    }
  });
}
