import { type PatternMinerV1, patternMinerIssues } from '@episodic/plugin';
import { z } from 'zod';
import { seedPatternTypes } from '../enums.js';

/** The `miners` option: pattern miners (spec v1), each with its own snake_case pattern type. */
export const minersSchema = z
  .array(
    z.unknown().superRefine((value, ctx) => {
      for (const issue of patternMinerIssues(value)) {
        const path = issue.path.startsWith('(') ? [] : [issue.path];
        ctx.addIssue({ code: 'custom', path, message: issue.message });
      }
    }),
  )
  .transform((miners) => miners as PatternMinerV1[])
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
