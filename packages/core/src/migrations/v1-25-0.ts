import type { Migration } from './migration.js';

/**
 * Which settings a learner runs with. Every miner shares the one `mining` learner, so a process
 * with fewer miners (an `episodic worker` started without the server's plugins) marked each
 * episode it took mined for all of them, and the others never saw it, without a word. Each claim
 * now says the settings it runs with (`settings`: for mining, its miners) and since when it has
 * run (`since`), so that only the first process to claim a learner learns with it while another
 * one's settings differ; `learners.settings` keeps what the learner last ran with, so that a
 * process that mines with others says so.
 */
export const v1_25_0: Migration = {
  version: '1.25.0',
  description: 'learner_processes.settings and .since, learners.settings: which settings a learner runs with',
  statements: [
    'ALTER TABLE learner_processes ADD COLUMN settings TEXT',
    'ALTER TABLE learner_processes ADD COLUMN since TEXT',
    'ALTER TABLE learners ADD COLUMN settings TEXT',
  ],
};
