import type { Migration } from './migration.js';

/**
 * How each finished episode ended (`completed` or `failed`), kept when it is archived. Mining read
 * the outcome from `status`, so an episode archived before the miners reached it (retention over
 * imported history, a worker running behind) was mined as a failure, and `remine()` left archived
 * episodes it had never mined out. Archived episodes a miner has seen take the outcome it recorded;
 * one archived before this version and never mined has no known outcome and stays unlearned.
 */
export const v1_22_0: Migration = {
  version: '1.22.0',
  description: 'episodes.outcome: how a finished episode ended, kept when it is archived',
  statements: [
    'ALTER TABLE episodes ADD COLUMN outcome TEXT',
    "UPDATE episodes SET outcome = status WHERE status IN ('completed', 'failed')",
    `UPDATE episodes SET outcome = (SELECT CASE m.succeeded WHEN 1 THEN 'completed' ELSE 'failed' END
       FROM mined_episodes m WHERE m.episode_id = episodes.id)
     WHERE status = 'archived'`,
  ],
};
