import type { StandardSchemaV1 } from '@standard-schema/spec';
import { definePlugin, type PluginDefinition, type PluginFactory } from './define-plugin.js';
import type { PatternMinerV1 } from './pattern-miner.js';
import { assertPatternMiner } from './pattern-miner-check.js';

/**
 * Defines a pattern miner's factory. The factory validates its options with `options` (a
 * Standard Schema, so any zod 4, valibot or arktype schema) and throws an `INVALID_OPTIONS`
 * `PluginError` naming the miner and each bad field; it then checks that what `create` returned
 * honours `PatternMinerV1` (a `CONTRACT` error otherwise), so a broken miner fails when it is
 * created, not on the first episode.
 *
 * @example
 * export const createFirstActionMiner = defineMiner({
 *   name: 'first-action miner',
 *   options: z.strictObject({ skip: z.number().int().min(0).default(0) }),
 *   create: ({ skip }) => ({
 *     specificationVersion: 'v1',
 *     patternType: 'first_action',
 *     dataSchema: z.strictObject({ tool: z.string() }),
 *     mine({ episode, succeeded, signal }) {
 *       signal?.throwIfAborted();
 *       const step = episode.steps[skip];
 *       return step === undefined ? [] : [{ data: { tool: toolName(step.action) }, success: succeeded }];
 *     },
 *   }),
 * });
 * const miner = createFirstActionMiner({ skip: 1 });
 */
export function defineMiner<Schema extends StandardSchemaV1, Data>(
  definition: PluginDefinition<Schema, PatternMinerV1<Data>>,
): PluginFactory<Schema, PatternMinerV1<Data>> {
  return definePlugin(definition, assertPatternMiner);
}
