import type { InStatement, InValue } from '@libsql/client';
import { chunks } from './chunks.js';
import { type AcceptedCandidate, identityColumns } from './collect-candidates.js';
import { type Evidence, evidenceColumns, parseEvidence } from './evidence.js';

/** The evidence columns mining writes, as stored in `patterns` (and a remine's shadow). */
const evidenceColumnNames = [
  'support',
  'successes',
  'success_rate',
  'wilson_lower',
  'score',
  'measurements',
  'order_free',
] as const;
type EvidenceColumn = (typeof evidenceColumnNames)[number];

/** What a pattern row holds before a batch writes it: its evidence and its stored evidence columns. */
export interface StoredPattern {
  evidence: Evidence;
  /** Null for a row the target table does not hold yet (a remine's shadow seeded from the live row). */
  columns: Record<EvidenceColumn, InValue> | null;
}

/** The columns the evidence read selects: what `storedPattern` turns into a `StoredPattern`. */
export const storedPatternColumns = `id, usage_count, helped_count, ${evidenceColumnNames.join(', ')}`;

export function storedPattern(row: Record<string, unknown>, inTable: boolean): StoredPattern {
  const columns = Object.fromEntries(
    evidenceColumnNames.map((name) => [name, (row[name] ?? null) as InValue]),
  ) as Record<EvidenceColumn, InValue>;
  return { evidence: parseEvidence(row), columns: inTable ? columns : null };
}

export interface PatternWrite {
  candidate: AcceptedCandidate;
  domain: string;
  evidence: Evidence;
  before: StoredPattern | undefined;
}

const rowsPerInsert = 50;
// The usage counts too: a remine's shadow row starts from the live pattern's feedback, and later
// batches read it back to score (a new live pattern has none).
const insertColumns =
  'id, pattern_type, domain, task_type, pattern_data, summary, success_rate, usage_count, helped_count, ' +
  'created_at, support, successes, wilson_lower, score, measurements, order_free, updated_at';

/**
 * The statements that store a batch's pattern evidence in `table`. New rows go in multi-row
 * inserts. A row already there gets an UPDATE of just the columns whose value changed: SQLite
 * rewrites an index only when the UPDATE sets one of its columns, and a mined episode touches
 * dozens of patterns, so an unchanged `success_rate` (a pattern that always or never succeeds)
 * costs its index no write. Each such UPDATE has one row, so it is prepared once per column set.
 */
export function patternWrites(table: string, writes: readonly PatternWrite[], now: string): InStatement[] {
  const inserts = writes.filter((write) => write.before?.columns == null);
  const statements: InStatement[] = chunks(inserts, rowsPerInsert).map((part) => ({
    sql: `INSERT INTO ${table} (${insertColumns}) VALUES
          ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    args: part.flatMap(({ candidate, domain, evidence }) => {
      const columns = evidenceColumns(evidence);
      return [
        ...identityColumns(candidate, domain),
        columns.successRate,
        evidence.usageCount,
        evidence.helpedCount,
        now,
        evidence.support,
        evidence.successes,
        columns.wilsonLower,
        columns.score,
        columns.measurements,
        columns.orderFree,
        now,
      ];
    }),
  }));
  for (const { candidate, evidence, before } of writes) {
    const stored = before?.columns;
    if (stored == null) continue;
    const derived = evidenceColumns(evidence);
    const after: Record<EvidenceColumn, InValue> = {
      support: evidence.support,
      successes: evidence.successes,
      success_rate: derived.successRate,
      wilson_lower: derived.wilsonLower,
      score: derived.score,
      measurements: derived.measurements,
      order_free: derived.orderFree,
    };
    const changed = evidenceColumnNames.filter((name) => after[name] !== stored[name]);
    statements.push({
      sql: `UPDATE ${table} SET ${[...changed, 'updated_at'].map((name) => `${name} = ?`).join(', ')} WHERE id = ?`,
      args: [...changed.map((name) => after[name]), now, candidate.id],
    });
  }
  return statements;
}
