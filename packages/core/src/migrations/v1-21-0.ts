import type { Migration } from './migration.js';

/**
 * The learners some process runs on this store (`embeddings`, `mining`), registered when it starts
 * them. A completion queues work for every registered learner as well as its own process's: an
 * agent writing through an embedded store with no miners or provider (the AI SDK's `withMemory`
 * beside `episodic serve`) had its episodes queued for nobody, so the server never learned them.
 */
export const v1_21_0: Migration = {
  version: '1.21.0',
  description: 'learners: the learners processes run on this store, which every completion queues work for',
  statements: ['CREATE TABLE learners (name TEXT PRIMARY KEY, registered_at TEXT NOT NULL) WITHOUT ROWID'],
};
