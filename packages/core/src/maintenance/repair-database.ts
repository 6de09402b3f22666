import type { Transaction } from '@libsql/client';
import type { Database } from '../db/database.js';
import { rebuildEpisodeDocs } from '../search/episode-docs.js';
import { ftsTables } from './fts-tables.js';

export interface RepairReport {
  /** Episodes re-created (in domain `recovered`, archived) for steps or embeddings whose episode was lost. */
  recoveredEpisodes: string[];
  orphanSteps: number;
  orphanEmbeddings: number;
  /**
   * Rows pointing at a missing episode, step or pattern (pattern links and usages, mining and
   * learning-queue rows, step embeddings), removed.
   */
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
const missingEpisode = 'episode_id NOT IN (SELECT id FROM episodes)';
const missingEpisodeOrPattern = `${missingEpisode} OR pattern_id NOT IN (SELECT id FROM patterns)`;
/**
 * Every other row a foreign key ties to an episode, step or pattern: the ones that point at a
 * missing row. Verify counts them all (`foreign_key_check`) and says to run repair, so repair
 * must leave none, or a store (and its backups) would fail verification for good.
 */
const brokenLinkSql = [
  `FROM episode_patterns WHERE ${missingEpisodeOrPattern}`,
  `FROM pattern_usages WHERE ${missingEpisodeOrPattern}`,
  `FROM mined_episodes WHERE ${missingEpisode}`,
  `FROM learning_queue WHERE ${missingEpisode}`,
  'FROM embeddings WHERE step_id IS NOT NULL AND step_id NOT IN (SELECT id FROM steps)',
];

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
    let brokenLinks = 0;
    for (const sql of brokenLinkSql) brokenLinks += await count(tx, `SELECT count(*) AS n ${sql}`);
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
        // After the episodes above are re-created: what points at them is no longer broken.
        for (const sql of brokenLinkSql) await tx.execute(`DELETE ${sql}`);
        changes.push(`removed ${brokenLinks} links to missing episodes, steps or patterns`);
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
