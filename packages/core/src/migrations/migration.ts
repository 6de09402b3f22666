import type { Transaction } from '@libsql/client';

/**
 * A statement, or a step that needs a value read inside the migration's own transaction
 * (e.g. the current schema cookie) and so cannot be written down in advance.
 */
export type MigrationStatement = string | ((tx: Transaction) => Promise<void>);

/**
 * One step of the schema's history. Applied migrations are recorded in `schema_migrations`;
 * a migration is never edited once released, a new one is added instead.
 */
export interface Migration {
  /** Semantic version the schema has once this migration is applied. */
  version: string;
  description: string;
  /** Executed in order, all pending migrations inside one transaction. */
  statements: readonly MigrationStatement[];
}

/** Orders dotted versions numerically (`1.10.0` after `1.9.0`). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}
