import type { WrittenPattern } from './mining-batch.js';

/**
 * Told about pattern writes after they commit, before the write returns: the cache drops what
 * they made stale (`pattern:{type}:{id}` entries and cached query results).
 */
export interface PatternChanges {
  patternsChanged(patterns: readonly WrittenPattern[]): Promise<void> | void;
  /** After a bulk change (remine) that may have touched or deleted any pattern. */
  allPatternsChanged(): Promise<void> | void;
}

/** For a store without a cache. */
export const ignorePatternChanges: PatternChanges = {
  patternsChanged: () => undefined,
  allPatternsChanged: () => undefined,
};
