import type { InStatement, Transaction } from '@libsql/client';
import { nowIso } from '../schemas/timestamp.js';
import { chunks } from './chunks.js';
import { addSupport, type Evidence, emptyEvidence, evidenceColumns } from './evidence.js';
import type { WrittenPattern } from './mining-batch.js';

export interface UnmineReport {
  /** Patterns whose evidence was recomputed and that still have support. */
  changed: WrittenPattern[];
  /** Patterns left with no supporting episode, and so deleted. */
  removed: number;
}

interface Contribution {
  success: boolean;
  measurements: Record<string, number>;
  /** Links that contributed exactly this. */
  times: number;
}

/**
 * Whether folding these contributions in any order gives the evidence the mining order gives:
 * counts, minima and maxima never depend on it, and sums of integers do not either while they
 * stay exact (below 2^53); the measurements' key order comes from the first contribution, so
 * every contribution must list the same keys in the same order.
 */
function orderFree(contributions: readonly Contribution[]): boolean {
  let keys: string | undefined;
  let magnitude = 0;
  for (const { measurements, times } of contributions) {
    const names = Object.keys(measurements).join('\u0000');
    if (keys !== undefined && names !== keys) return false;
    keys = names;
    for (const value of Object.values(measurements)) {
      if (!Number.isInteger(value)) return false;
      magnitude += Math.abs(value) * times;
    }
  }
  return magnitude <= Number.MAX_SAFE_INTEGER;
}

function contributionsOf(rows: readonly Record<string, unknown>[]): Map<string, Contribution[]> {
  const found = new Map<string, Contribution[]>();
  for (const row of rows) {
    const id = String(row.pattern_id);
    const list = found.get(id) ?? [];
    list.push({
      success: Number(row.success) === 1,
      measurements:
        row.measurements === null ? {} : (JSON.parse(String(row.measurements)) as Record<string, number>),
      times: row.times === undefined ? 1 : Number(row.times),
    });
    found.set(id, list);
  }
  return found;
}

/**
 * The evidence of `ids` folded again from their links, leaving out the episodes listed in
 * `temp.{excluded}`, exactly as a remine folds it in mining order; a pattern left without
 * support is deleted, usage feedback is kept. A pattern's links are one range of
 * `episode_patterns`, read grouped by what each link contributed; only when the order can change
 * the result (fractional measurements) are they read again one by one, in mining order.
 */
export async function refoldEvidence(
  tx: Transaction,
  ids: readonly string[],
  excluded: string,
): Promise<UnmineReport> {
  const report: UnmineReport = { changed: [], removed: 0 };
  const now = nowIso();
  const where = (count: number) =>
    `l.pattern_id IN (${Array(count).fill('?').join(', ')}) AND l.episode_id NOT IN (SELECT id FROM temp.${excluded})`;
  for (const part of chunks(ids, 200)) {
    const [patternRows, linkRows] = await tx.batch([
      {
        sql: `SELECT id, pattern_type, usage_count, helped_count FROM patterns
              WHERE id IN (${part.map(() => '?').join(', ')}) AND support IS NOT NULL`,
        args: part,
      },
      {
        // The links that contributed the same are one row, counted: few rows to fold, whatever the support.
        sql: `SELECT l.pattern_id, l.success, l.measurements, COUNT(*) AS times FROM episode_patterns l
              WHERE ${where(part.length)} GROUP BY l.pattern_id, l.success, l.measurements`,
        args: part,
      },
    ]);
    const contributions = contributionsOf(linkRows?.rows ?? []);
    const ordered = [...contributions].filter(([, list]) => !orderFree(list)).map(([id]) => id);
    for (const some of chunks(ordered, 200)) {
      const rows = await tx.execute({
        sql: `SELECT l.pattern_id, l.success, l.measurements FROM episode_patterns l
              JOIN mined_episodes m ON m.episode_id = l.episode_id
              WHERE ${where(some.length)} ORDER BY l.pattern_id, m.seq`,
        args: some,
      });
      for (const [id, list] of contributionsOf(rows.rows)) contributions.set(id, list);
    }

    const statements: InStatement[] = [];
    for (const row of patternRows?.rows ?? []) {
      const id = String(row.id);
      const folded = (contributions.get(id) ?? []).reduce(
        (evidence: Evidence, { success, measurements, times }) =>
          addSupport(evidence, success, measurements, times),
        {
          ...emptyEvidence(),
          usageCount: Number(row.usage_count ?? 0),
          helpedCount: Number(row.helped_count ?? 0),
        },
      );
      if (folded.support === 0) {
        statements.push({ sql: 'DELETE FROM patterns WHERE id = ?', args: [id] });
        report.removed += 1;
        continue;
      }
      const columns = evidenceColumns(folded);
      statements.push({
        sql: `UPDATE patterns SET support = ?, successes = ?, success_rate = ?, wilson_lower = ?, score = ?,
                measurements = ?, updated_at = ? WHERE id = ?`,
        args: [
          folded.support,
          folded.successes,
          columns.successRate,
          columns.wilsonLower,
          columns.score,
          columns.measurements,
          now,
          id,
        ],
      });
      report.changed.push({ id, patternType: String(row.pattern_type) });
    }
    if (statements.length > 0) await tx.batch(statements);
  }
  return report;
}
