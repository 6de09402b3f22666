import { createErrorResolutionMiner } from '@episodic/miner-error-resolution';
import { createOptimizationMiner } from '@episodic/miner-optimization';
import { createTestingStrategyMiner } from '@episodic/miner-testing-strategy';
import { createToolSequenceMiner } from '@episodic/miner-tool-sequence';
import type { PatternMinerV1 } from '@episodic/plugin';

/** The built-in miners, by the pattern type each one mines. */
const factories: Record<MinerName, () => PatternMinerV1> = {
  tool_sequence: createToolSequenceMiner,
  error_resolution: createErrorResolutionMiner,
  optimization: createOptimizationMiner,
  testing_strategy: createTestingStrategyMiner,
};

export const minerNames = ['tool_sequence', 'error_resolution', 'optimization', 'testing_strategy'] as const;
export type MinerName = (typeof minerNames)[number];

/** The named miners, each with its default settings. */
export function createMiners(names: readonly MinerName[]): PatternMinerV1[] {
  return names.map((name) => factories[name]());
}
