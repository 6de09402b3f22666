import type { Migration } from './migration.js';

/**
 * Each mined pattern records whether every episode that supports it contributed integer
 * measurements under the same keys in the same order (`order_free`, 1 or 0): its evidence is
 * then the same whatever order the episodes are folded in, so `forget` subtracts the forgotten
 * episodes' contributions from it instead of folding every remaining link again. Rows mined
 * before are left NULL (not known): reading every link of every pattern here could take long on
 * a large store while it opens; a forget folds such a pattern from its links as before and
 * writes the flag, and a `remine()` writes it for all.
 */
export const v1_17_0: Migration = {
  version: '1.17.0',
  description: 'patterns.order_free: whether a forget may subtract a contribution from the evidence',
  statements: ['ALTER TABLE patterns ADD COLUMN order_free INTEGER'],
};
