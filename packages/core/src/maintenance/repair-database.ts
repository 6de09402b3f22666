import type { Transaction } from '@libsql/client';
import type { Database } from '../db/database.js';
import { rebuildEpisodeDocs } from '../search/episode-docs.js';
import { ftsTables } from './fts-tables.js';

export interface RepairReport {
  /** Episodes re-created (in domain `recovered`, archived) for steps or embeddings whose episode was lost. */
  recoveredEpisodes: string[];
  orphanSteps: number;
  orphanEmbeddings: number;
  /** Episode ↔ pattern links to a missing episode or pattern, removed. */
  brokenLinks: number;
  /** Full-text tables rebuilt from their content tables. */
  rebuiltFts: string[];
  /** What changed, one line each, for an operator. */
  changes: string[];
}

async function count(tx: Transaction, sql: string): Promise<number> {
  return Number((await tx.execute(sql)).rows[0]?.n ?? 0);
}

const orphanStepsSql = 'FROM steps WHERE episode_id NOT IN (SELECT id FROM episodes)';
const orphanEmbeddingsSql = 'FROM embeddings WHERE episode_id NOT IN (SELECT id FROM episodes)';
const brokenLinksSql = `FROM episode_patterns WHERE episode_id NOT IN (SELECT id FROM episodes)
  OR pattern_id NOT IN (SELECT id FROM patterns)`;

/**
 * Mends a store after partial data loss (the seed: "use episode IDs to rebuild relationships").
 * Steps and embeddings whose episode row is gone keep their data: the episode is re-created from
 * their episode id as an archived episode in domain `recovered`. Links to missing rows are
 * removed and the full-text indexes are rebuilt. With `dryRun` it only reports. One transaction.
 */
export async function repairDatabase(
  db: Database,
  options: { dryRun?: boolean } = {},
): Promise<RepairReport> {
  return db.write(async (tx) => {
    const orphanSteps = await count(tx, `SELECT count(*) AS n ${orphanStepsSql}`);
    const orphanEmbeddings = await count(tx, `SELECT count(*) AS n ${orphanEmbeddingsSql}`);
    const brokenLinks = await count(tx, `SELECT count(*) AS n ${brokenLinksSql}`);
    const lost =
      await tx.execute(`SELECT episode_id, min(timestamp) AS first, count(*) AS n ${orphanStepsSql} GROUP BY episode_id
      UNION ALL SELECT episode_id, min(created_at), 0 ${orphanEmbeddingsSql} GROUP BY episode_id`);
    const recovered = new Map<string, { first: string | null; steps: number }>();
    for (const row of lost.rows) {
      const id = String(row.episode_id);
      const seen = recovered.get(id);
      recovered.set(id, {
        first: seen?.first ?? (row.first === null ? null : String(row.first)),
        steps: (seen?.steps ?? 0) + Number(row.n),
      });
    }
    const changes: string[] = [];
    if (options.dryRun !== true) {
      for (const [id, { first, steps }] of recovered) {
        await tx.execute({
          sql: `INSERT INTO episodes (id, task_type, domain, context, status, created_at, completed_at, metadata)
                VALUES (?, 'analysis', 'recovered', ?, 'archived', ?, ?, '{"recoveredBy":"repair"}')`,
          args: [
            id,
            `Recovered by repair: the episode row was lost; ${steps} steps survived.`,
            first ?? new Date().toISOString(),
            new Date().toISOString(),
          ],
        });
        changes.push(`re-created episode ${id} (domain "recovered") for ${steps} orphan steps`);
      }
      if (brokenLinks > 0) {
        await tx.execute(`DELETE ${brokenLinksSql}`);
        changes.push(`removed ${brokenLinks} links to missing episodes or patterns`);
      }
      for (const table of ftsTables) await tx.execute(`INSERT INTO ${table} (${table}) VALUES ('rebuild')`);
      for (const statement of rebuildEpisodeDocs) await tx.execute(statement);
      changes.push(`rebuilt ${ftsTables.join(' and ')}`);
    }
    return {
      recoveredEpisodes: [...recovered.keys()],
      orphanSteps,
      orphanEmbeddings,
      brokenLinks,
      rebuiltFts: options.dryRun === true ? [] : [...ftsTables],
      changes,
    };
  });
}
