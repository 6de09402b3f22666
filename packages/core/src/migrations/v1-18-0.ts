import type { Migration } from './migration.js';

/**
 * Each mined episode keeps its measures (step count and total step duration, as the baselines
 * counted them), so that `forget` reads the later episodes of a scope, measures included, from
 * `mined_episodes` alone instead of summing every one's steps. Rows mined before are left with
 * `steps` NULL (not recorded): filling them would read every step of the store while it opens;
 * their measures are summed from the steps when read (`measuredColumns`), and a `remine()`
 * records them.
 */
export const v1_18_0: Migration = {
  version: '1.18.0',
  description: 'mined_episodes.steps and mined_episodes.duration_ms: each mined episode’s measures',
  statements: [
    'ALTER TABLE mined_episodes ADD COLUMN steps INTEGER',
    'ALTER TABLE mined_episodes ADD COLUMN duration_ms INTEGER',
  ],
};
