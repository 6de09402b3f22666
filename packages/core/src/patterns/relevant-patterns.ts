import type { InStatement, Row } from '@libsql/client';
import { z } from 'zod';
import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import { wholeDomain } from '../mining/mining-batch.js';
import { toFtsQuery } from '../search/fts-query.js';
import type { CallOptions } from '../types.js';
import { parseInput } from '../validate.js';
import { type MinedPattern, minedPatternColumnsOf, toMinedPattern } from './pattern-row.js';

/**
 * How the three signals add up to a pattern's relevance score in [0, 1]. Evidence is the
 * pattern's own ranking score (Wilson lower bound with usage feedback); text is its BM25 match
 * on the task text relative to the best match; task type is 1 for a pattern mined for this task
 * type and ½ for a domain-wide one.
 */
export const relevanceWeights = { evidence: 0.5, text: 0.3, taskType: 0.2 } as const;

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
     * Patterns seen in fewer episodes are left out: one episode is an anecdote. For a type whose
     * miner sets `minSuccessShare`, this many of those episodes must also have succeeded.
     */
    minSupport: z.number().int().min(1).default(2),
    limit: z.number().int().min(1).max(config.limits.maxPageSize).default(10),
    /** Supporting episode ids returned per pattern, newest first. */
    episodesPerPattern: z.number().int().min(0).max(100).default(5),
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
}

interface Candidate {
  row: Row;
  textRank: number;
}

export function createRelevantPatterns(context: EngineContext) {
  const { db } = context;
  const schema = relevantPatternsSchema(context);
  const successShares = context.config.miners.flatMap((miner) =>
    miner.minSuccessShare === undefined ? [] : [[miner.patternType, miner.minSuccessShare] as const],
  );

  return {
    /**
     * The patterns relevant to a task, best first: by evidence, text similarity and task type
     * (see `relevanceWeights`), within the caller's scope, each with its supporting episodes,
     * counts and lift. A pattern whose miner sets `minSuccessShare` is left out until that share
     * of its scope's successful episodes shows it.
     */
    async relevantPatterns(
      input: RelevantPatternsInput = {},
      options: CallOptions = {},
    ): Promise<RelevantPattern[]> {
      const filters = parseInput(schema, input, 'pattern query');
      const pool = Math.min(Math.max(filters.limit * 4, 50), 500);
      const base = () => {
        const filter = new SqlFilter()
          .when('p.support >= ?', filters.minSupport)
          .when('p.domain = ?', filters.domain)
          .scope('p.domain', options.scope);
        for (const [type, share] of successShares) {
          filter.when(
            `(p.pattern_type <> ? OR (p.successes >= ? AND p.successes >= ? * COALESCE(
               (SELECT json_extract(b.stats, '$.successes') FROM pattern_baselines b
                WHERE b.domain = p.domain AND b.task_type = COALESCE(p.task_type, ?)), 0)))`,
            type,
            filters.minSupport,
            share,
            wholeDomain,
          );
        }
        const types = filters.types;
        return types === undefined
          ? filter
          : filter.when(`p.pattern_type IN (${types.map(() => '?').join(', ')})`, ...types);
      };
      const byEvidence = (taskCondition: SqlFilter): InStatement => ({
        sql: `SELECT ${minedPatternColumnsOf('p')} FROM patterns p WHERE ${taskCondition.sql} ORDER BY p.score DESC, p.id LIMIT ?`,
        args: [...taskCondition.args, pool],
      });
      const statements: InStatement[] =
        filters.taskType === undefined
          ? [byEvidence(base())]
          : [
              byEvidence(base().when('p.task_type = ?', filters.taskType)),
              byEvidence(base().when('p.task_type IS NULL')),
            ];
      const query = filters.text === undefined ? null : toFtsQuery(filters.text);
      if (query !== null) {
        const where = base().when('(p.task_type = ? OR p.task_type IS NULL)', filters.taskType);
        statements.push({
          sql: `SELECT ${minedPatternColumnsOf('p')}, bm25(patterns_fts) AS text_rank
                FROM patterns_fts JOIN patterns p ON p.rowid = patterns_fts.rowid
                WHERE patterns_fts MATCH ? AND ${where.sql} ORDER BY text_rank LIMIT ?`,
          args: [query, ...where.args, pool],
        });
      }
      const results = await db.readBatch(statements);
      const candidates = new Map<string, Candidate>();
      results.forEach((result, index) => {
        const fromText = query !== null && index === results.length - 1;
        for (const row of result.rows) {
          const id = String(row.id);
          const textRank = fromText ? -Number(row.text_rank) : 0;
          candidates.set(id, { row, textRank: Math.max(textRank, candidates.get(id)?.textRank ?? 0) });
        }
      });
      const bestText = Math.max(0, ...[...candidates.values()].map((candidate) => candidate.textRank));
      const ranked = [...candidates.values()]
        .map(({ row, textRank }) => {
          const pattern = toMinedPattern(row);
          const why = {
            evidence: relevanceWeights.evidence * pattern.score,
            text: bestText > 0 ? (relevanceWeights.text * textRank) / bestText : 0,
            taskType:
              filters.taskType === undefined
                ? 0
                : relevanceWeights.taskType * (pattern.taskType === null ? 0.5 : 1),
          };
          return { pattern, why, score: why.evidence + why.text + why.taskType };
        })
        .sort(
          (a, b) =>
            b.score - a.score ||
            (b.pattern.support ?? 0) - (a.pattern.support ?? 0) ||
            a.pattern.id.localeCompare(b.pattern.id),
        )
        .slice(0, filters.limit);
      if (ranked.length === 0) return [];

      const pairs = [
        ...new Set(
          ranked.map(({ pattern }) => JSON.stringify([pattern.domain, pattern.taskType ?? wholeDomain])),
        ),
      ].map((pair) => JSON.parse(pair) as [string, string]);
      const [baselines, ...episodeLists] = await db.readBatch([
        {
          sql: `SELECT domain, task_type, json_extract(stats, '$.episodes') AS episodes,
                  json_extract(stats, '$.successes') AS successes
                FROM pattern_baselines WHERE ${pairs.map(() => '(domain = ? AND task_type = ?)').join(' OR ')}`,
          args: pairs.flat(),
        },
        ...ranked.map(({ pattern }) => ({
          sql: 'SELECT episode_id FROM episode_patterns WHERE pattern_id = ? ORDER BY episode_id DESC LIMIT ?',
          args: [pattern.id, filters.episodesPerPattern],
        })),
      ]);
      const baseRates = new Map(
        (baselines?.rows ?? []).map((row) => [
          JSON.stringify([String(row.domain), String(row.task_type)]),
          Number(row.episodes) > 0 ? Number(row.successes) / Number(row.episodes) : 0,
        ]),
      );
      return ranked.map(({ pattern, why, score }, index) => {
        const baseRate = baseRates.get(JSON.stringify([pattern.domain, pattern.taskType ?? wholeDomain]));
        return {
          pattern,
          score,
          why,
          episodeIds: (episodeLists[index]?.rows ?? []).map((row) => String(row.episode_id)),
          lift:
            baseRate === undefined || baseRate === 0 || pattern.support === null
              ? null
              : pattern.successRate / baseRate,
        };
      });
    },
  };
}
