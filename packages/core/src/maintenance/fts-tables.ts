import type { Client } from '@libsql/client';
import { rebuildEpisodeDocs } from '../search/episode-docs.js';

/** The external-content full-text tables, each kept in step with its table by triggers. */
export const ftsTables = ['episodes_fts', 'steps_fts', 'patterns_fts'] as const;

/**
 * Every full-text index, `episode_docs_fts` (which keeps its own content) included: a deleted row
 * leaves its terms in the index segments until they are merged (`forget` merges them all).
 */
export const allFtsTables = [...ftsTables, 'episode_docs_fts'] as const;

/**
 * Rebuilds any full-text table that no longer matches its content table; returns the ones rebuilt.
 * `episode_docs_fts` has no content table to be checked against, so it is always rebuilt.
 */
export async function rebuildStaleFts(client: Client): Promise<string[]> {
  const rebuilt: string[] = [];
  for (const table of ftsTables) {
    try {
      await client.execute(`INSERT INTO ${table} (${table}) VALUES ('integrity-check')`);
    } catch {
      await client.execute(`INSERT INTO ${table} (${table}) VALUES ('rebuild')`);
      rebuilt.push(table);
    }
  }
  for (const statement of rebuildEpisodeDocs) await client.execute(statement);
  return rebuilt;
}
