import type { Migration } from './migration.js';

/**
 * Which process runs which learner now. `learners` only grows (nothing knows a learner was retired),
 * so `learning.flush()` could not tell the rows of a learner a worker runs from those of one no
 * process has run since it was killed: it either ignored the other processes' learners or waited
 * for a dead one until it timed out. Each process running learners now claims them until a time it
 * renews (`learner_processes`) and withdraws the claim when it closes; `learners.seen_at` keeps when
 * a learner was last run, filled from `registered_at` for the learners registered before.
 */
export const v1_23_0: Migration = {
  version: '1.23.0',
  description:
    'learner_processes and learners.seen_at: which process runs which learner now, and when it last ran',
  statements: [
    'ALTER TABLE learners ADD COLUMN seen_at TEXT',
    'UPDATE learners SET seen_at = registered_at',
    `CREATE TABLE learner_processes (
       learner TEXT NOT NULL,
       process TEXT NOT NULL,
       alive_until TEXT NOT NULL,
       PRIMARY KEY (learner, process)
     ) WITHOUT ROWID`,
  ],
};
