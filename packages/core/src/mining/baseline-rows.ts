import { type BaselineStats, emptyBaselineStats } from '@episodic/plugin';
import type { InStatement, Transaction } from '@libsql/client';

export const baselineKey = (domain: string, taskType: string) => JSON.stringify([domain, taskType]);

/** `pattern_baselines` rows, keyed by domain and task type, loaded on first use and written at the end. */
export function baselineRows(tx: Transaction) {
  const rows = new Map<string, { domain: string; taskType: string; stats: BaselineStats }>();
  return {
    async get(domain: string, taskType: string): Promise<BaselineStats> {
      const key = baselineKey(domain, taskType);
      let row = rows.get(key);
      if (row === undefined) {
        const stored = (
          await tx.execute({
            sql: 'SELECT stats FROM pattern_baselines WHERE domain = ? AND task_type = ?',
            args: [domain, taskType],
          })
        ).rows[0];
        const stats =
          stored === undefined ? emptyBaselineStats() : (JSON.parse(String(stored.stats)) as BaselineStats);
        row = { domain, taskType, stats };
        rows.set(key, row);
      }
      return row.stats;
    },
    set(domain: string, taskType: string, stats: BaselineStats) {
      rows.set(baselineKey(domain, taskType), { domain, taskType, stats });
    },
    /** A remine writes no baseline for a scope without episodes: neither do we. */
    statements(): InStatement[] {
      return [...rows.values()].map(({ domain, taskType, stats }) =>
        stats.episodes === 0
          ? {
              sql: 'DELETE FROM pattern_baselines WHERE domain = ? AND task_type = ?',
              args: [domain, taskType],
            }
          : {
              sql: `INSERT INTO pattern_baselines (domain, task_type, stats) VALUES (?, ?, ?)
                    ON CONFLICT (domain, task_type) DO UPDATE SET stats = excluded.stats`,
              args: [domain, taskType, JSON.stringify(stats)],
            },
      );
    },
  };
}

export type BaselineRows = ReturnType<typeof baselineRows>;
