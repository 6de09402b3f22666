import type { Migration } from './migration.js';

/** Rows the change feed keeps; a cache further behind than this drops everything it holds. */
export const changeFeedRows = 100_000;

const episodeKey = (row: 'NEW' | 'OLD', column: string) => `'episode:' || ${row}.${column}`;
const patternKey = (row: 'NEW' | 'OLD') => `'pattern:' || ${row}.pattern_type || ':' || ${row}.id`;

/** One trigger per change that can leave a cached copy stale, each logging the cache key it touches. */
const feedTriggers: [name: string, event: string, key: string][] = [
  ['episodes_feed_after_insert', 'INSERT ON episodes', episodeKey('NEW', 'id')],
  ['episodes_feed_after_update', 'UPDATE ON episodes', episodeKey('NEW', 'id')],
  ['episodes_feed_after_delete', 'DELETE ON episodes', episodeKey('OLD', 'id')],
  ['steps_feed_after_insert', 'INSERT ON steps', episodeKey('NEW', 'episode_id')],
  ['steps_feed_after_update', 'UPDATE ON steps', episodeKey('NEW', 'episode_id')],
  ['steps_feed_after_delete', 'DELETE ON steps', episodeKey('OLD', 'episode_id')],
  ['patterns_feed_after_insert', 'INSERT ON patterns', patternKey('NEW')],
  ['patterns_feed_after_update', 'UPDATE ON patterns', patternKey('NEW')],
  ['patterns_feed_after_delete', 'DELETE ON patterns', patternKey('OLD')],
];

/**
 * The change feed: every change to an episode, its steps or a pattern appends the cache key it
 * makes stale, in the transaction that makes the change, whoever writes (a store on another
 * host, a process with another cache folder or none, SQL by hand). Each store with a cache reads
 * the rows after the position its cache folder last applied and drops those keys
 * (`cache/change-feed.ts`), so a cache on one host learns of writes made on another. Triggers
 * rather than the engine's own writes: they cannot be forgotten by a write path, and they cost
 * an append in a transaction that is already open instead of a statement of its own. Bounded:
 * a cache further behind than the rows kept drops everything.
 */
export const v1_19_0: Migration = {
  version: '1.19.0',
  description: 'change_feed: the cache keys each write makes stale, for caches on other hosts',
  statements: [
    'CREATE TABLE change_feed (seq INTEGER PRIMARY KEY, key TEXT NOT NULL)',
    ...feedTriggers.map(
      ([name, event, key]) =>
        `CREATE TRIGGER ${name} AFTER ${event} BEGIN INSERT INTO change_feed (key) VALUES (${key}); END`,
    ),
    // The newest row is never deleted, so a new row's seq is always above every earlier one's.
    `CREATE TRIGGER change_feed_bounded AFTER INSERT ON change_feed BEGIN
      DELETE FROM change_feed WHERE seq <= NEW.seq - ${changeFeedRows};
    END`,
  ],
};
