import { z } from 'zod';
import type { RecordEpisodesInput, RecordedEpisode } from '../episodes/record-episodes.js';
import { EpisodicError, type EpisodicErrorCode } from '../errors.js';
import { uuidPattern } from '../ids.js';
import type { PatternChanges } from '../mining/pattern-changes.js';
import type { CompleteEpisodeInput, StartEpisodeInput, StepInput } from '../schemas/input-schemas.js';
import type { AppendedSteps, CallOptions, Episode } from '../types.js';
import { parseInput } from '../validate.js';
import { type Cache, type CacheKey, cacheKey } from './cache.js';

/** The engine's episode writes. */
export interface EpisodeWrites {
  startEpisode(input: StartEpisodeInput, options?: CallOptions): Promise<Episode>;
  appendSteps(episodeId: string, steps: StepInput[], options?: CallOptions): Promise<AppendedSteps>;
  completeEpisode(episodeId: string, input: CompleteEpisodeInput, options?: CallOptions): Promise<Episode>;
  archiveEpisode(episodeId: string, options?: CallOptions): Promise<Episode>;
  recordEpisodes(input: RecordEpisodesInput, options?: CallOptions): Promise<RecordedEpisode[]>;
}

/** Refusals that happen before anything is written: there is nothing to invalidate. */
const nothingWritten = new Set<EpisodicErrorCode>(['VALIDATION', 'NOT_FOUND', 'FORBIDDEN', 'CONFLICT']);

function episodeKeys(episodeId: unknown): CacheKey[] {
  return typeof episodeId === 'string' && uuidPattern.test(episodeId) ? [cacheKey.episode(episodeId)] : [];
}

/**
 * How a write drops what it made stale: `cache.invalidate`, or, for a store that follows the
 * change feed, a read of the feed that drops the write's keys with the rows it finds in one cache
 * commit (`ChangeFeedFollower.catchUp`), so the write's own rows are applied by the thread that
 * wrote them and never drop, a moment later, what was cached after it.
 */
export type InvalidateWritten = (keys: CacheKey[]) => Promise<void> | void;

/**
 * Each write drops what it made stale after its database commit and before it returns: the
 * episode's entry, and (through the generation) every cached query result. A write that failed
 * in an unknown way (the commit may have happened) invalidates too.
 */
export function invalidatingWrites(writes: EpisodeWrites, invalidate: InvalidateWritten): EpisodeWrites {
  async function invalidateAfter<T>(keys: CacheKey[], write: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (error) {
      if (!(EpisodicError.isInstance(error) && nothingWritten.has(error.code))) await invalidate(keys);
      throw error;
    }
    await invalidate(keys);
    return result;
  }
  return {
    // A client-chosen id, as `record`'s, may name an episode forgotten elsewhere: its entry goes too.
    startEpisode: (input, options) =>
      invalidateAfter(episodeKeys((input as { id?: unknown } | null | undefined)?.id), () =>
        writes.startEpisode(input, options),
      ),
    appendSteps: (id, steps, options) =>
      invalidateAfter(episodeKeys(id), () => writes.appendSteps(id, steps, options)),
    completeEpisode: (id, input, options) =>
      invalidateAfter(episodeKeys(id), () => writes.completeEpisode(id, input, options)),
    archiveEpisode: (id, options) =>
      invalidateAfter(episodeKeys(id), () => writes.archiveEpisode(id, options)),
    recordEpisodes: (input, options) =>
      invalidateAfter(Array.isArray(input) ? input.flatMap((record) => episodeKeys(record?.id)) : [], () =>
        writes.recordEpisodes(input, options),
      ),
  };
}

/** How pattern writes (mining, usage feedback, remine) reach the cache, as episode writes do. */
export function cachePatternChanges(cache: Cache, invalidate: InvalidateWritten): PatternChanges {
  return {
    patternsChanged: (patterns) => invalidate(patterns.map((p) => cacheKey.pattern(p.patternType, p.id))),
    async allPatternsChanged() {
      // Replaced, not emptied entry by entry (see `repaired` in admin-api.ts).
      cache.purge();
      await invalidate([]);
    },
  };
}

export const invalidateCacheInputSchema = z.strictObject({
  /** Episodes changed or deleted outside the engine's write methods. */
  episodes: z.array(z.string().regex(uuidPattern, 'must be a UUID')).max(10_000).optional(),
  /** Patterns changed or deleted outside the engine's write methods. */
  patterns: z
    .array(z.strictObject({ type: z.string().min(1).max(64), id: z.string().min(1).max(128) }))
    .max(10_000)
    .optional(),
  /** Drop every cached episode, pattern and query result (after a bulk change or a restore). */
  all: z.boolean().optional(),
});
export type InvalidateCacheInput = z.input<typeof invalidateCacheInputSchema>;

/**
 * Drops cached copies of rows that changed behind the engine's back. Cached query results are
 * always dropped (the generation advances), even with no target named.
 */
export function invalidateCache(cache: Cache, input: InvalidateCacheInput): void {
  const targets = parseInput(invalidateCacheInputSchema, input, 'cache invalidation');
  if (targets.all === true) {
    cache.invalidateAll();
    return;
  }
  cache.invalidate([
    ...(targets.episodes ?? []).map((id) => cacheKey.episode(id)),
    ...(targets.patterns ?? []).map((pattern) => cacheKey.pattern(pattern.type, pattern.id)),
  ]);
}
