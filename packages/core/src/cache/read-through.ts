import { createHash } from 'node:crypto';
import { uuidPattern } from '../ids.js';
import type { MinedPattern } from '../patterns/pattern-row.js';
import type { InputSchemas, ListPatternsInput, SearchTextInput } from '../schemas/input-schemas.js';
import { toFtsQuery } from '../search/fts-query.js';
import type { TextSearchHit } from '../search/text-search.js';
import type { AccessScope, CallOptions, EpisodeWithSteps, Page } from '../types.js';
import { parseInput } from '../validate.js';
import { type Cache, cacheKey } from './cache.js';

/** The reads the cache sits in front of, as the engine implements them against libSQL. */
export interface CachedReads {
  getEpisode(episodeId: string, options?: CallOptions): Promise<EpisodeWithSteps | null>;
  getPattern(patternId: string, options?: CallOptions): Promise<MinedPattern | null>;
  listPatterns(input?: ListPatternsInput, options?: CallOptions): Promise<Page<MinedPattern>>;
  searchText(input: SearchTextInput, options?: CallOptions): Promise<TextSearchHit[]>;
}

/** An episode as JSON (the UTF-8 bytes of what `JSON.stringify` makes of `getEpisode`'s answer), with its domain. */
export interface EpisodeJson {
  json: Buffer;
  domain: string;
}

/** The cached reads, and `getEpisodeJson`, which only a cache in front of them can answer without parsing. */
export interface ReadThroughReads extends CachedReads {
  /**
   * `getEpisode`, answered as JSON bytes: from the cache without parsing or decoding the stored
   * value, for a server that sends the episode on as it is. Same scope rule, audit entry and
   * validation.
   */
  getEpisodeJson(episodeId: string, options?: CallOptions): Promise<EpisodeJson | null>;
}

export interface ReadThroughOptions {
  schemas: InputSchemas;
  /** Every pattern type the store accepts: a pattern is cached under its type, which `getPattern` is not told. */
  patternTypes: readonly string[];
  /**
   * How `search.text` picks a long text's words (`retrieval.textBudgetRows`, `maxQueryTerms`):
   * part of its key, since stores sharing a cache folder may be configured differently.
   */
  textSelection: { textBudgetRows: number; maxQueryTerms: number };
}

/** The SQL scope rule, applied to a cached row: a row without a domain is in no scope. */
function inScope(domain: string | null, scope: AccessScope | undefined): boolean {
  return scope === undefined || (domain !== null && scope.domains.includes(domain));
}

/**
 * `query:{hash}`: the hash covers the operation, its normalised input, the caller's scope and
 * the generation, so a result is never served to another scope or after any write.
 */
export function queryKey(
  operation: string,
  input: unknown,
  scope: AccessScope | undefined,
  generation: number,
) {
  const scopeKey = scope === undefined ? null : [...new Set(scope.domains)].sort();
  const text = JSON.stringify([operation, input, scopeKey, generation]);
  return cacheKey.query(createHash('sha256').update(text).digest('base64url'));
}

/**
 * Wraps the engine's reads with the cache: a fresh entry answers, otherwise libSQL does and
 * the answer is stored, unless a write happened meanwhile (the generation read before the
 * database read no longer matches), since the answer might then predate that write.
 */
export function readThrough(cache: Cache, reads: CachedReads, options: ReadThroughOptions): ReadThroughReads {
  const { schemas } = options;

  async function cachedQuery<T>(
    operation: string,
    input: unknown,
    scope: AccessScope | undefined,
    load: () => Promise<T>,
  ) {
    const generation = cache.generation();
    const key = queryKey(operation, input, scope, generation);
    const cached = cache.get<T>(key);
    if (cached !== undefined) return cached;
    const result = await load();
    cache.fill(key, result, generation);
    return result;
  }

  // Only a well-formed id can be a key; anything else goes on to be refused by validation.
  const episodeKey = (episodeId: string) =>
    typeof episodeId === 'string' && uuidPattern.test(episodeId) ? cacheKey.episode(episodeId) : undefined;

  async function loadEpisode(episodeId: string, callOptions: CallOptions) {
    const generation = cache.generation();
    const episode = await reads.getEpisode(episodeId, callOptions);
    if (episode !== null) cache.fill(cacheKey.episode(episode.id), episode, generation, episode.domain);
    return episode;
  }

  return {
    async getEpisode(episodeId, callOptions = {}) {
      const key = episodeKey(episodeId);
      const visible = (episode: EpisodeWithSteps) => inScope(episode.domain, callOptions.scope);
      const cached = key === undefined ? undefined : cache.get(key, visible);
      // Another domain's cached row is a miss: the database, reading in scope, answers null, as
      // for an id nobody holds, so neither the answer nor the counters tell them apart.
      return cached ?? loadEpisode(episodeId, callOptions);
    },

    async getEpisodeJson(episodeId, callOptions = {}) {
      const key = episodeKey(episodeId);
      const cached =
        key === undefined
          ? undefined
          : cache.getJson(key, (entry) => inScope(entry.domain, callOptions.scope));
      if (cached !== undefined) return cached;
      const episode = await loadEpisode(episodeId, callOptions);
      return episode === null
        ? null
        : { json: Buffer.from(JSON.stringify(episode), 'utf8'), domain: episode.domain };
    },

    async getPattern(patternId, callOptions = {}) {
      if (cache.enabled && typeof patternId === 'string' && patternId.length > 0 && patternId.length <= 128) {
        const keys = options.patternTypes.map((type) => cacheKey.pattern(type, patternId));
        const cached = cache.getFirst<MinedPattern>(keys, (pattern) =>
          inScope(pattern.domain, callOptions.scope),
        );
        if (cached !== undefined) return cached;
      }
      const generation = cache.generation();
      const pattern = await reads.getPattern(patternId, callOptions);
      if (pattern !== null)
        cache.fill(cacheKey.pattern(pattern.patternType, pattern.id), pattern, generation);
      return pattern;
    },

    async listPatterns(input = {}, callOptions = {}) {
      if (!cache.enabled) return reads.listPatterns(input, callOptions);
      const filters = parseInput(schemas.listPatterns, input, 'pattern filters');
      return cachedQuery('listPatterns', filters, callOptions.scope, () =>
        reads.listPatterns(input, callOptions),
      );
    },

    async searchText(input, callOptions = {}) {
      if (!cache.enabled) return reads.searchText(input, callOptions);
      const { text, ...filters } = parseInput(schemas.searchText, input, 'search');
      // Keyed by the FTS query the text becomes, ASCII case folded as FTS5's tokenizer folds it:
      // texts that search the same way share an entry.
      const query = toFtsQuery(text)?.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
      if (query === undefined) return reads.searchText(input, callOptions);
      return cachedQuery(
        'searchText',
        { query, ...filters, ...options.textSelection },
        callOptions.scope,
        () => reads.searchText(input, callOptions),
      );
    },
  };
}
