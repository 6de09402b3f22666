import { isoNow } from './iso-timestamps.js';
import type { Migration } from './migration.js';

/**
 * Each link between an episode and a mined pattern keeps what that episode contributed (whether
 * it was evidence of success, and its measurements), so that `forget` can fold the evidence of
 * just the patterns the forgotten episodes supported again from the links that remain. The links
 * are stored by pattern first, so that fold reads one pattern's links as one range. Links written
 * before have no contribution (`success` NULL): a forget that meets one in its domains re-mines
 * those domains instead, which writes them.
 */
export const v1_11_0: Migration = {
  version: '1.11.0',
  description: 'episode_patterns: keyed by pattern, each link keeps its episode’s contribution',
  statements: [
    `CREATE TABLE episode_patterns_by_pattern (
      pattern_id TEXT NOT NULL REFERENCES patterns (id) ON DELETE CASCADE,
      episode_id TEXT NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
      created_at DATETIME NOT NULL DEFAULT (${isoNow}),
      success INTEGER,
      measurements TEXT,
      PRIMARY KEY (pattern_id, episode_id)
    ) WITHOUT ROWID`,
    `INSERT INTO episode_patterns_by_pattern (pattern_id, episode_id, created_at)
      SELECT pattern_id, episode_id, created_at FROM episode_patterns`,
    'DROP TABLE episode_patterns',
    'ALTER TABLE episode_patterns_by_pattern RENAME TO episode_patterns',
    // The episode side of the link: forget's cascade, and the patterns of one episode.
    'CREATE INDEX idx_episode_patterns_episode ON episode_patterns (episode_id)',
    'CREATE INDEX idx_episode_patterns_without_contribution ON episode_patterns (pattern_id) WHERE success IS NULL',
  ],
};
