import type { InStatement, Transaction } from '@libsql/client';
import { nowIso } from '../schemas/timestamp.js';
import { chunks } from './chunks.js';
import {
  addSupport,
  type Evidence,
  emptyEvidence,
  evidenceColumns,
  keyList,
  parseEvidence,
} from './evidence.js';
import type { WrittenPattern } from './mining-batch.js';
import { type Contribution, probePath, probeSql, subtractEvidence } from './subtract-evidence.js';

export interface UnmineReport {
  /** Patterns whose evidence was recomputed and that still have support. */
  changed: WrittenPattern[];
  /** Patterns left with no supporting episode, and so deleted. */
  removed: number;
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
    const names = keyList(measurements);
    if (keys !== undefined && names !== keys) return false;
    keys = names;
    for (const value of Object.values(measurements)) {
      if (!Number.isInteger(value)) return false;
      magnitude += Math.abs(value) * times;
    }
  }
  return magnitude <= Number.MAX_SAFE_INTEGER;
}

/** Link rows (`pattern_id`, `success`, `measurements`, and `times` when grouped) by pattern. */
export function contributionsOf(rows: readonly Record<string, unknown>[]): Map<string, Contribution[]> {
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

type Row = Record<string, unknown>;

/**
 * The evidence of these patterns folded again from their links, leaving out the episodes listed
 * in `temp.{excluded}`, exactly as a remine folds it in mining order. A pattern's links are one
 * range of `episode_patterns`, read grouped by what each link contributed; only when the order can
 * change the result (fractional measurements) are they read again one by one, in mining order.
 */
async function foldFromLinks(
  tx: Transaction,
  rows: readonly Row[],
  excluded: string,
  into: Map<string, Evidence>,
) {
  const where = (count: number) =>
    `l.pattern_id IN (${Array(count).fill('?').join(', ')}) AND l.episode_id NOT IN (SELECT id FROM temp.${excluded})`;
  const ids = rows.map((row) => String(row.id));
  if (ids.length === 0) return;
  const [linkRows] = await tx.batch([
    {
      // The links that contributed the same are one row, counted: few rows to fold, whatever the support.
      sql: `SELECT l.pattern_id, l.success, l.measurements, COUNT(*) AS times FROM episode_patterns l
            WHERE ${where(ids.length)} GROUP BY l.pattern_id, l.success, l.measurements`,
      args: ids,
    },
  ]);
  const contributions = contributionsOf(linkRows?.rows ?? []);
  const ordered = [...contributions].filter(([, list]) => !orderFree(list)).map(([id]) => id);
  for (const some of chunks(ordered, 200)) {
    const inOrder = await tx.execute({
      sql: `SELECT l.pattern_id, l.success, l.measurements FROM episode_patterns l
            JOIN mined_episodes m ON m.episode_id = l.episode_id
            WHERE ${where(some.length)} ORDER BY l.pattern_id, m.seq`,
      args: some,
    });
    for (const [id, list] of contributionsOf(inOrder.rows)) contributions.set(id, list);
  }
  for (const row of rows) {
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
    into.set(id, folded);
  }
}

/**
 * Those of `rows` whose evidence can be had without folding their links again (`subtractEvidence`),
 * with it; the extremes a subtraction needs checked are checked in one batch of one-row lookups.
 */
async function subtracted(
  tx: Transaction,
  rows: readonly Row[],
  removed: ReadonlyMap<string, readonly Contribution[]>,
  excluded: string,
): Promise<Map<string, Evidence>> {
  const found = new Map<string, Evidence>();
  const probing: { id: string; evidence: Evidence; probes: number }[] = [];
  const statements: InStatement[] = [];
  for (const row of rows) {
    const id = String(row.id);
    const gone = removed.get(id);
    const result = gone === undefined ? null : subtractEvidence(parseEvidence(row), gone);
    if (result === null) continue;
    if (result.probes.length === 0) found.set(id, result.evidence);
    else {
      probing.push({ id, evidence: result.evidence, probes: result.probes.length });
      for (const { key, value } of result.probes)
        statements.push({ sql: probeSql(excluded), args: [id, probePath(key), value] });
    }
  }
  if (statements.length === 0) return found;
  const answers = await tx.batch(statements);
  let next = 0;
  for (const { id, evidence, probes } of probing) {
    const kept = answers.slice(next, next + probes).every((answer) => answer.rows.length > 0);
    next += probes;
    if (kept) found.set(id, evidence);
  }
  return found;
}

/**
 * The evidence of `ids` recomputed without the episodes listed in `temp.{excluded}`, exactly as a
 * remine of the remaining episodes folds it; a pattern left without support is deleted, usage
 * feedback is kept. `removed` holds, for patterns whose only change is the loss of the excluded
 * episodes' links, what those links contributed: such a pattern's evidence is subtracted when
 * that is exact (`subtractEvidence`), reading none of its links; every other pattern is folded
 * again from its remaining links.
 */
export async function refoldEvidence(
  tx: Transaction,
  ids: readonly string[],
  excluded: string,
  removed: ReadonlyMap<string, readonly Contribution[]> = new Map(),
): Promise<UnmineReport> {
  const report: UnmineReport = { changed: [], removed: 0 };
  const now = nowIso();
  for (const part of chunks(ids, 200)) {
    const patternRows = (
      await tx.execute({
        sql: `SELECT id, pattern_type, support, successes, usage_count, helped_count, measurements, order_free
              FROM patterns WHERE id IN (${part.map(() => '?').join(', ')}) AND support IS NOT NULL`,
        args: part,
      })
    ).rows as unknown as Row[];
    const evidence = await subtracted(tx, patternRows, removed, excluded);
    await foldFromLinks(
      tx,
      patternRows.filter((row) => !evidence.has(String(row.id))),
      excluded,
      evidence,
    );

    const statements: InStatement[] = [];
    for (const row of patternRows) {
      const id = String(row.id);
      const folded = evidence.get(id) as Evidence;
      if (folded.support === 0) {
        statements.push({ sql: 'DELETE FROM patterns WHERE id = ?', args: [id] });
        report.removed += 1;
        continue;
      }
      const columns = evidenceColumns(folded);
      statements.push({
        sql: `UPDATE patterns SET support = ?, successes = ?, success_rate = ?, wilson_lower = ?, score = ?,
                measurements = ?, order_free = ?, updated_at = ? WHERE id = ?`,
        args: [
          folded.support,
          folded.successes,
          columns.successRate,
          columns.wilsonLower,
          columns.score,
          columns.measurements,
          columns.orderFree,
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
