import type { Migration } from './migration.js';

/**
 * Each link between an episode and a mined pattern keeps what that episode contributed (whether
 * it was evidence of success, and its measurements), so that `forget` can recompute the evidence
 * of just the patterns the forgotten episodes supported, from the links that remain. Links
 * written before have none (`success` NULL): a forget that meets one in its domains re-mines the
 * domains instead, which writes them.
 */
export const v1_11_0: Migration = {
  version: '1.11.0',
  description: 'episode_patterns: each link keeps its episode’s contribution (success, measurements)',
  statements: [
    'ALTER TABLE episode_patterns ADD COLUMN success INTEGER',
    'ALTER TABLE episode_patterns ADD COLUMN measurements TEXT',
    'CREATE INDEX idx_episode_patterns_without_contribution ON episode_patterns (pattern_id) WHERE success IS NULL',
  ],
};
