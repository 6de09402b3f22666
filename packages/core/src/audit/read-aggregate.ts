import type { AuditEvent } from './audit-event.js';

type CountedRow = [string, string, string, string, null, string | null, string, number];

const counted = new Set(['read', 'search']);

/**
 * Reads and searches counted per caller, operation, entity type, domain and outcome, per
 * minute. A minute's counts are written once it is over (or when the log is flushed), so a
 * busy minute costs one row per caller rather than one per read or one per batch.
 */
export function createReadAggregate() {
  const rows = new Map<string, CountedRow>();
  return {
    get size(): number {
      return rows.size;
    },

    /** Counts the event if it is a read or a search; `false` for any other, which is recorded as it is. */
    add(event: AuditEvent, at: string): boolean {
      if (!counted.has(event.operation)) return false;
      const minute = `${at.slice(0, 16)}:00.000Z`;
      const domain = event.domain ?? null;
      const key = [minute, event.actor, event.operation, event.entityType, domain, event.outcome].join(
        '\u0000',
      );
      const existing = rows.get(key);
      if (existing !== undefined) existing[7] += 1;
      else
        rows.set(key, [
          minute,
          event.actor,
          event.operation,
          event.entityType,
          null,
          domain,
          event.outcome,
          1,
        ]);
      return true;
    },

    /** The counts of minutes before `now`'s, or all of them when `all`; they leave the aggregate. */
    take(now: string, all = false): CountedRow[] {
      const current = `${now.slice(0, 16)}:00.000Z`;
      const done: CountedRow[] = [];
      for (const [key, row] of rows) {
        if (all || row[0] < current) {
          done.push(row);
          rows.delete(key);
        }
      }
      return done;
    },
  };
}
