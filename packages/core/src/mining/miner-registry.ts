import { z } from 'zod';
import { enumNameSchema, seedPatternTypes } from '../enums.js';
import type { MinerHistoryUse, PatternMinerV1 } from './pattern-miner.js';

const historyUses: readonly MinerHistoryUse[] = ['none', 'taskType', 'domain'];

function isPatternMiner(value: unknown): value is PatternMinerV1 {
  const miner = value as Partial<PatternMinerV1> | null;
  return (
    typeof miner === 'object' &&
    miner !== null &&
    miner.specificationVersion === 'v1' &&
    typeof miner.patternType === 'string' &&
    typeof miner.mine === 'function' &&
    typeof (miner.dataSchema as { safeParse?: unknown } | undefined)?.safeParse === 'function' &&
    (miner.describe === undefined || typeof miner.describe === 'function')
  );
}

/** Whether `share` is a valid {@link PatternMinerV1.minSuccessShare}. */
export function isSuccessShare(share: unknown): boolean {
  return share === undefined || (typeof share === 'number' && share > 0 && share <= 1);
}

/** The `miners` option: pattern miners (spec v1), each with its own snake_case pattern type. */
export const minersSchema = z
  .array(
    z
      .custom<PatternMinerV1>(
        isPatternMiner,
        'must be a pattern miner: specificationVersion "v1", patternType, dataSchema (zod) and mine()',
      )
      .superRefine((miner, ctx) => {
        const type = enumNameSchema.safeParse(miner.patternType);
        if (!type.success) {
          ctx.addIssue({
            code: 'custom',
            path: ['patternType'],
            message: type.error.issues[0]?.message ?? 'invalid',
          });
        }
        if (miner.history !== undefined && !historyUses.includes(miner.history)) {
          ctx.addIssue({
            code: 'custom',
            path: ['history'],
            message: `must be one of ${historyUses.map((use) => `"${use}"`).join(', ')} or absent`,
          });
        }
        if (!isSuccessShare(miner.minSuccessShare)) {
          ctx.addIssue({
            code: 'custom',
            path: ['minSuccessShare'],
            message: 'must be a number in (0, 1] or absent',
          });
        }
      }),
  )
  .superRefine((miners, ctx) => {
    const seen = new Set<string>();
    miners.forEach((miner, index) => {
      if (seen.has(miner.patternType)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'patternType'],
          message: `another miner already mines "${miner.patternType}"`,
        });
      }
      seen.add(miner.patternType);
    });
  });

/** The pattern types miners bring that the seed does not have: registered when the store opens. */
export function minerPatternTypes(miners: readonly PatternMinerV1[]): string[] {
  const seed: readonly string[] = seedPatternTypes;
  return miners.map((miner) => miner.patternType).filter((type) => !seed.includes(type));
}
