import type { Migration } from './migration.js';

/**
 * Each mined episode keeps its scope (domain and task type, which never change once an episode
 * is stored), indexed with its mining sequence, so that `forget` finds the episodes of one scope
 * mined after the forgotten one as one index range, not by scanning every episode mined since.
 */
export const v1_15_0: Migration = {
  version: '1.15.0',
  description: 'mined_episodes: each episode’s domain and task type, indexed with its mining sequence',
  statements: [
    'ALTER TABLE mined_episodes ADD COLUMN domain TEXT',
    'ALTER TABLE mined_episodes ADD COLUMN task_type TEXT',
    `UPDATE mined_episodes SET
      domain = (SELECT e.domain FROM episodes e WHERE e.id = mined_episodes.episode_id),
      task_type = (SELECT e.task_type FROM episodes e WHERE e.id = mined_episodes.episode_id)`,
    'CREATE INDEX idx_mined_episodes_scope ON mined_episodes (domain, task_type, seq)',
  ],
};
