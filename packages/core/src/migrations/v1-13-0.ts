import type { Migration } from './migration.js';

/**
 * Every mined episode updates the evidence of the few dozen patterns it shows, `success_rate`
 * among it, and SQLite rewrites each index holding a column an UPDATE sets: with 10,000 episodes
 * stored, `idx_patterns_domain_type` cost a mined episode some 17 of its 236 written pages. It
 * served one query, `listPatterns` by domain and type, which finds the same rows through
 * `(domain, pattern_type)` and sorts them; that index never changes when evidence does.
 */
export const v1_13_0: Migration = {
  version: '1.13.0',
  description: 'idx_patterns_domain_type without success_rate, which mining rewrites',
  statements: [
    'DROP INDEX IF EXISTS idx_patterns_domain_type',
    'CREATE INDEX idx_patterns_domain_type ON patterns (domain, pattern_type)',
  ],
};
