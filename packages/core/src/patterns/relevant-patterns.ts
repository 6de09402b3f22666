import type { InStatement, InValue, Row } from '@libsql/client';
import { z } from 'zod';
import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import { wholeDomain } from '../mining/mining-batch.js';
import { toFtsQuery } from '../search/fts-query.js';
import type { CallOptions } from '../types.js';
import { parseInput } from '../validate.js';
import { beatsRest } from './beats-rest.js';
import { type MinedPattern, minedPatternColumnsOf, toMinedPattern } from './pattern-row.js';
import { textMatcher } from './text-match.js';

/**
 * How the three signals add up to a pattern's relevance score in [0, 1]. Evidence is how surely
 * the episodes that show the pattern succeed more often than the other episodes of its scope
 * (`beatsRest`, ½ when they are alike); text is `textMatch` of the task text and the pattern's
 * summary, on an absolute scale; task type is 1 for a pattern mined for this task type and ½ for
 * a domain-wide one. Set by hand, not tuned (see the core README).
 */
export const relevanceWeights = { evidence: 0.4, text: 0.4, taskType: 0.2 } as const;

/**
 * What a pattern needs to be returned at all: a text match of at least `text`, or, on evidence
 * alone, `beatsRest` above `evidence` (its runs more likely than not succeed more often than the
 * rest of its scope). Nothing rather than a weak match. `text` chosen on the τ-bench dev split, `evidence`
 * on the coding-agent dev split of `pnpm bench mining` (see the core README).
 */
export const relevanceFloors = { text: 0.5, evidence: 0.5 } as const;

/** `relevantPatterns` input, for a store's `schemas` and `config` (a server validates requests with it). */
export function relevantPatternsSchema(context: Pick<EngineContext, 'schemas' | 'config'>) {
  const { schemas, config } = context;
  return z.strictObject({
    /** The task, in words: matched against pattern summaries (tools, error signatures…). */
    text: z.string().max(config.limits.maxContextChars).optional(),
    domain: schemas.domain.optional(),
    /** Patterns mined for another task type are left out; domain-wide ones stay. */
    taskType: schemas.taskType.optional(),
    types: z.array(schemas.patternType).min(1).max(32).optional(),
    /**
     * Patterns seen in fewer episodes are left out. Default: 2 for a pattern found by its evidence
     * (one episode is an anecdote), 1 for one the text matches above `minTextMatch` (an error seen
     * once before, and what fixed it, is worth knowing). For a type whose miner sets
     * `minSuccessShare`, this many of those episodes must also have succeeded.
     */
    minSupport: z.number().int().min(1).optional(),
    limit: schemas.pageLimit(10),
    /** Supporting episode ids returned per pattern, newest first. */
    episodesPerPattern: z.number().int().min(0).max(100).default(5),
    /** Least `textMatch` for a pattern found by its text (see `relevanceFloors`). */
    minTextMatch: z.number().min(0).max(1).default(relevanceFloors.text),
    /** `beatsRest` a pattern found by its evidence alone must exceed (see `relevanceFloors`). */
    minEvidence: z.number().min(0).max(1).default(relevanceFloors.evidence),
    /** Least lower lift (`RelevantPattern.liftLower`) for a pattern found by its evidence alone; off by default. */
    minLift: z.number().min(0).max(100).default(0),
    /**
     * Of the patterns of one scope whose miner gives them the same `variantKey` (a tool sequence
     * with and without a run's count), the one with the most support is placed by its rank and the
     * others only after every other recipe, so the first `limit` are different recipes where
     * there are that many. `false`: plain rank order.
     */
    groupVariants: z.boolean().default(true),
  });
}
export type RelevantPatternsInput = z.input<ReturnType<typeof relevantPatternsSchema>>;

export interface RelevantPattern {
  pattern: MinedPattern;
  /** Relevance in [0, 1], the sum of `why`. */
  score: number;
  /** Each signal's contribution to `score`. */
  why: { evidence: number; text: number; taskType: number };
  /** Supporting episodes, newest first, at most `episodesPerPattern` (`pattern.support` counts all). */
  episodeIds: string[];
  /**
   * The pattern's success rate over the base rate of its domain (its task type's, for a pattern
   * mined per task type): above 1, episodes that show it succeed more often than usual.
   */
  lift: number | null;
  /**
   * The lift we can be sure of: the pattern's score (Wilson lower bound, 95 %, of its success
   * rate with usage feedback) over the base rate. Above 1, it beats the base rate beyond chance.
   */
  liftLower: number | null;
}

/**
 * Most patterns the evidence query reads per statement when its pool has to grow (see
 * `relevantPatterns`): at most two rounds past the first, of 200 and 800 rows with their
 * baselines, on `retrieve`'s path. Not timed on its own; 2,300 rows took ~9 ms a statement
 * (`rowsOf`), so a few milliseconds by proportion.
 */
const maxPool = 800;

/** A count of a pattern's scope, from the baseline row of its domain and task type. */
const baselineSql = (field: 'successes' | 'episodes') => `(SELECT json_extract(b.stats, '$.${field}')
  FROM pattern_baselines b WHERE b.domain = p.domain AND b.task_type = COALESCE(p.task_type, ?))`;
/** The base rate of a pattern's scope. */
const baseRateSql = `(SELECT CAST(json_extract(b.stats, '$.successes') AS REAL) / json_extract(b.stats, '$.episodes')
  FROM pattern_baselines b WHERE b.domain = p.domain AND b.task_type = COALESCE(p.task_type, ?))`;

/**
 * A pattern's newest supporting episodes, by the episode's own `created_at` (an imported one's
 * date), id as the tie-break: ids are not in date order (a caller's own, or UUIDv7 of the day it
 * was imported). CROSS JOIN starts from the pattern's links (its primary key range) and probes
 * each episode by id: the sort is over one pattern's support, never a walk through the episodes.
 */
export const newestEpisodesSql = `SELECT ep.episode_id FROM episode_patterns ep
  CROSS JOIN episodes e ON e.id = ep.episode_id
  WHERE ep.pattern_id = ? ORDER BY e.created_at DESC, e.id DESC LIMIT ?`;

function lowerLift(score: number, baseRate: number | null): number | null {
  if (baseRate === null || !Number.isFinite(baseRate)) return null;
  // With no success in its scope yet, any evidence of success beats the base rate.
  return baseRate === 0 ? (score > 0 ? Number.POSITIVE_INFINITY : 0) : score / baseRate;
}

export function createRelevantPatterns(context: EngineContext) {
  const { db } = context;
  const schema = relevantPatternsSchema(context);
  const successShares = context.config.miners.flatMap((miner) =>
    miner.minSuccessShare === undefined ? [] : [[miner.patternType, miner.minSuccessShare] as const],
  );
  const variantKeys = new Map(
    context.config.miners.flatMap((miner) =>
      miner.variantKey === undefined ? [] : [[miner.patternType, miner.variantKey.bind(miner)] as const],
    ),
  );
  /** The recipe a pattern is a variant of, or its own id when its miner groups none. */
  const recipeOf = (pattern: MinedPattern): string => {
    const variantKey = variantKeys.get(pattern.patternType);
    if (variantKey === undefined) return pattern.id;
    let key: string;
    try {
      key = variantKey(pattern.patternData);
    } catch {
      // Data stored under an older schema of the miner: a recipe of its own rather than a failed read.
      return pattern.id;
    }
    return JSON.stringify([pattern.patternType, pattern.domain, pattern.taskType, key]);
  };
  /**
   * `ranked` (best first) with each recipe's variant of the most support (the best-ranked of
   * equals) in its place and the recipe's other variants after every recipe: different recipes
   * first, a variant only where fewer recipes pass the floors. Linear in `ranked`.
   */
  const recipesFirst = <T extends { pattern: MinedPattern }>(ranked: readonly T[]): T[] => {
    if (variantKeys.size === 0) return [...ranked];
    const shown = new Map<string, T>();
    for (const candidate of ranked) {
      const recipe = recipeOf(candidate.pattern);
      const best = shown.get(recipe);
      if (best === undefined || (candidate.pattern.support ?? 0) > (best.pattern.support ?? 0))
        shown.set(recipe, candidate);
    }
    const first = new Set(shown.values());
    return [...ranked.filter((candidate) => first.has(candidate)), ...ranked.filter((c) => !first.has(c))];
  };

  return {
    /**
     * The patterns relevant to a task, best first: by evidence, text similarity and task type
     * (see `relevanceWeights`), within the caller's scope, each with its supporting episodes,
     * counts and lift. Only a pattern whose runs beat the rest of its scope (`minEvidence`) or that the text
     * matches (`minTextMatch`) is returned: nothing rather than a weak match. A pattern whose
     * miner sets `minSuccessShare` is left out until that share of its scope's successful
     * episodes shows it. Variants of one recipe (its miner's `variantKey`) come after every other
     * recipe but their best-supported one (`groupVariants`).
     */
    async relevantPatterns(
      input: RelevantPatternsInput = {},
      options: CallOptions = {},
    ): Promise<RelevantPattern[]> {
      const filters = parseInput(schema, input, 'pattern query');
      const firstPool = Math.min(Math.max(filters.limit * 4, 50), 500);
      const evidenceSupport = filters.minSupport ?? 2;
      const base = (minSupport: number) => {
        const filter = new SqlFilter()
          .when('p.support >= ?', minSupport)
          .when('p.domain = ?', filters.domain)
          .scope('p.domain', options.scope);
        for (const [type, share] of successShares) {
          filter.when(
            `(p.pattern_type <> ? OR (p.successes >= ? AND p.successes >= ? * COALESCE(
               (SELECT json_extract(b.stats, '$.successes') FROM pattern_baselines b
                WHERE b.domain = p.domain AND b.task_type = COALESCE(p.task_type, ?)), 0)))`,
            type,
            minSupport,
            share,
            wholeDomain,
          );
        }
        const types = filters.types;
        return types === undefined
          ? filter
          : filter.when(`p.pattern_type IN (${types.map(() => '?').join(', ')})`, ...types);
      };
      /**
       * The patterns `top` keeps (a query of their rowids, `rid`), with every column the ranking
       * reads. Selected before the sort, the wide columns and the three baseline look-ups were
       * read for every pattern it saw, not only for the `pool` it keeps (2,300 patterns: ~9 ms a
       * statement against ~5).
       */
      const rowsOf = (top: { sql: string; args: InValue[] }): InStatement => ({
        sql: `WITH top AS (${top.sql})
              SELECT ${minedPatternColumnsOf('p')}, ${baseRateSql} AS base_rate,
                ${baselineSql('successes')} AS base_successes, ${baselineSql('episodes')} AS base_episodes
              FROM top CROSS JOIN patterns p ON p.rowid = top.rid`,
        args: [...top.args, wholeDomain, wholeDomain, wholeDomain],
      });
      // Found by evidence alone, a pattern must surely beat its base rate.
      const byEvidence = (taskCondition: SqlFilter, pool: number): InStatement => {
        // `score >= 0 · base rate` holds for every score above 0: no look-up per pattern for it.
        const lift = filters.minLift > 0 ? `AND p.score >= ? * COALESCE(${baseRateSql}, 0)` : '';
        return rowsOf({
          sql: `SELECT p.rowid AS rid FROM patterns p WHERE ${taskCondition.sql} AND p.score > 0 ${lift}
                ORDER BY p.score DESC, p.id LIMIT ?`,
          args: [...taskCondition.args, ...(lift === '' ? [] : [filters.minLift, wholeDomain]), pool],
        });
      };
      const evidenceStatements = (pool: number): InStatement[] =>
        filters.taskType === undefined
          ? [byEvidence(base(evidenceSupport), pool)]
          : [
              byEvidence(base(evidenceSupport).when('p.task_type = ?', filters.taskType), pool),
              byEvidence(base(evidenceSupport).when('p.task_type IS NULL'), pool),
            ];
      const query = filters.text === undefined ? null : toFtsQuery(filters.text);
      const textStatements = (pool: number): InStatement[] => {
        if (query === null) return [];
        const where = base(filters.minSupport ?? 1).when(
          '(p.task_type = ? OR p.task_type IS NULL)',
          filters.taskType,
        );
        return [
          rowsOf({
            sql: `SELECT p.rowid AS rid FROM patterns_fts JOIN patterns p ON p.rowid = patterns_fts.rowid
                  WHERE patterns_fts MATCH ? AND ${where.sql} ORDER BY bm25(patterns_fts) LIMIT ?`,
            args: [query, ...where.args, pool],
          }),
        ];
      };
      const matchText = filters.text === undefined ? () => 0 : textMatcher(filters.text);
      const admit = (rows: Iterable<Row>) =>
        [...rows].flatMap((row) => {
          const pattern = toMinedPattern(row);
          const baseRate = row.base_rate === null ? null : Number(row.base_rate);
          const liftLower = lowerLift(pattern.score, baseRate);
          const text = matchText(pattern.summary ?? '');
          const beats =
            baseRate === null || pattern.support === null
              ? 0
              : beatsRest(
                  { ...pattern, support: pattern.support, successes: pattern.successes ?? 0 },
                  { successes: Number(row.base_successes), episodes: Number(row.base_episodes) },
                );
          const beatsBase =
            pattern.score > 0 &&
            beats > filters.minEvidence &&
            (liftLower ?? 0) >= filters.minLift &&
            (pattern.support ?? 0) >= evidenceSupport;
          if (text < filters.minTextMatch && !beatsBase) return [];
          const evidence = liftLower === null ? pattern.score : liftLower / (1 + liftLower);
          const why = {
            evidence: relevanceWeights.evidence * (Number.isFinite(evidence) ? evidence : 1),
            text: relevanceWeights.text * (text >= filters.minTextMatch ? text : 0),
            taskType:
              filters.taskType === undefined
                ? 0
                : relevanceWeights.taskType * (pattern.taskType === null ? 0.5 : 1),
          };
          return [{ pattern, why, score: why.evidence + why.text + why.taskType, baseRate, liftLower }];
        });
      // The pool is taken by raw score, admission is against each pattern's own baseline: across
      // several baselines (no domain or no task type asked for), a domain whose every run succeeds
      // filled the pool with high-scoring patterns that beat nothing, and a pattern of another one
      // that clearly beats its own was never seen (no domain filter: `[]`). Then, while the pool
      // came back full and admitted fewer than `limit`, it is taken again four times larger, up to
      // `maxPool`. Under one domain and task type, score order is lift order: one round.
      const severalBaselines = filters.domain === undefined || filters.taskType === undefined;
      let pool = firstPool;
      let candidates: ReturnType<typeof admit>;
      for (;;) {
        const evidence = evidenceStatements(pool);
        const results = await db.readBatch([...evidence, ...textStatements(firstPool)]);
        const rows = new Map<string, Row>();
        for (const result of results) for (const row of result.rows) rows.set(String(row.id), row);
        candidates = admit(rows.values());
        const full = results.slice(0, evidence.length).some((result) => result.rows.length >= pool);
        if (!severalBaselines || !full || candidates.length >= filters.limit || pool >= maxPool) break;
        pool *= 4;
      }
      candidates.sort(
        (a, b) =>
          b.score - a.score ||
          (b.pattern.support ?? 0) - (a.pattern.support ?? 0) ||
          a.pattern.id.localeCompare(b.pattern.id),
      );
      const ranked = (filters.groupVariants ? recipesFirst(candidates) : candidates).slice(0, filters.limit);
      if (ranked.length === 0) return [];

      const episodeLists = await db.readBatch(
        ranked.map(({ pattern }) => ({
          sql: newestEpisodesSql,
          args: [pattern.id, filters.episodesPerPattern],
        })),
      );
      return ranked.map(({ pattern, why, score, baseRate, liftLower }, index) => ({
        pattern,
        score,
        why,
        episodeIds: (episodeLists[index]?.rows ?? []).map((row) => String(row.episode_id)),
        lift:
          baseRate === null || baseRate === 0 || pattern.support === null
            ? null
            : pattern.successRate / baseRate,
        liftLower: liftLower === null || !Number.isFinite(liftLower) ? null : liftLower,
      }));
    },
  };
}
