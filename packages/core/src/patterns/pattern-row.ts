import type { Row } from '@libsql/client';
import { patternColumns, toPattern } from '../db/rows.js';
import type { MeasurementTotals } from '../mining/evidence.js';
import { storedText } from '../schemas/stored-text.js';
import type { Pattern } from '../types.js';

/** A measurement aggregated over a pattern's supporting episodes. */
export interface MeasurementSummary extends MeasurementTotals {
  mean: number;
}

/** A pattern with the evidence mining accumulated for it. */
export interface MinedPattern extends Pattern {
  /** Set when the pattern was mined per task type; `null` for a domain-wide pattern. */
  taskType: string | null;
  /** Short text for people and full-text search (`get_user_details → book_reservation`). */
  summary: string | null;
  /**
   * Episodes that show the pattern; `null` for a pattern that was not mined (stored by hand or
   * before mining existed), which has no recorded evidence.
   */
  support: number | null;
  /** Supporting episodes that were evidence of success; `successRate = successes / support`. */
  successes: number | null;
  /** Wilson lower bound (95 %) of the success rate: how good the pattern surely is. */
  wilsonLower: number | null;
  /** Of the `usageCount` episodes that reported using the pattern, how many said it helped. */
  helpedCount: number;
  /** Ranking score in [0, 1]: Wilson lower bound over the mined evidence and usage feedback together. */
  score: number;
  /** Per-episode measurements (e.g. `stepsSaved`) aggregated over the supporting episodes. */
  measurements: Record<string, MeasurementSummary>;
  /** When evidence was last added. */
  updatedAt: string | null;
}

/** A pattern id as callers pass it (mined ids are 32 hex characters; older rows may differ). */
export const patternIdSchema = storedText(128).min(1);

export const minedPatternColumns = `${patternColumns}, task_type, summary, support, successes, wilson_lower,
  helped_count, score, measurements, updated_at`;

/** The same columns prefixed with a table alias, for queries that join (`p.id, p.pattern_type…`). */
export function minedPatternColumnsOf(alias: string): string {
  return minedPatternColumns
    .split(',')
    .map((column) => `${alias}.${column.trim()}`)
    .join(', ');
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function toMinedPattern(row: Row): MinedPattern {
  const totals =
    row.measurements === null || row.measurements === undefined
      ? {}
      : (JSON.parse(String(row.measurements)) as Record<string, MeasurementTotals>);
  const measurements: Record<string, MeasurementSummary> = {};
  for (const [name, total] of Object.entries(totals))
    measurements[name] = { ...total, mean: total.sum / total.count };
  return {
    ...toPattern(row),
    taskType: row.task_type === null ? null : String(row.task_type),
    summary: row.summary === null ? null : String(row.summary),
    support: nullableNumber(row.support),
    successes: nullableNumber(row.successes),
    wilsonLower: nullableNumber(row.wilson_lower),
    helpedCount: Number(row.helped_count ?? 0),
    score: Number(row.score ?? 0),
    measurements,
    updatedAt: row.updated_at === null ? null : String(row.updated_at),
  };
}
