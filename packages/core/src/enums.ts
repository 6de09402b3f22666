import { snakeCaseName } from '@episodic/plugin';
import { z } from 'zod';

/** The seed's episode lifecycle: `active` until completed or failed, `archived` for long-term storage. */
export const episodeStatuses = ['active', 'completed', 'failed', 'archived'] as const;
export type EpisodeStatus = (typeof episodeStatuses)[number];
export const episodeStatusSchema = z.enum(episodeStatuses);

/** The seed's task types. `openMemory({ taskTypes })` may add more. */
export const seedTaskTypes = [
  'code_generation',
  'debugging',
  'refactoring',
  'testing',
  'analysis',
  'documentation',
] as const;
export type SeedTaskType = (typeof seedTaskTypes)[number];

/** The seed's pattern types. A pattern miner plugin may register more. */
export const seedPatternTypes = [
  'tool_sequence',
  'error_resolution',
  'optimization',
  'testing_strategy',
] as const;
export type SeedPatternType = (typeof seedPatternTypes)[number];

/** Names a plugin or a user may add to an enumeration: snake_case, as the seed's own. */
export const enumNameSchema = z
  .string()
  .regex(snakeCaseName, 'must be snake_case: a-z, 0-9 and _, starting with a letter');
