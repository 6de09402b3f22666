import type { Transaction } from '@libsql/client';
import { newId } from '../ids.js';
import type { Migration } from './migration.js';

/** Every column that holds an episode's id or a step's id, the owning column first. */
const idColumns = {
  episode: [
    ['episodes', 'id'],
    ['steps', 'episode_id'],
    ['embeddings', 'episode_id'],
    ['mined_episodes', 'episode_id'],
    ['pattern_usages', 'episode_id'],
    ['episode_patterns', 'episode_id'],
    ['learning_queue', 'episode_id'],
  ],
  step: [
    ['steps', 'id'],
    ['embeddings', 'step_id'],
  ],
} as const;

/**
 * Gives each id stored with capital letters its lower-case form, in every column that refers to
 * it. An id that already exists in lower case (the same UUID sent in both cases made two rows)
 * gets a new id instead, so both rows stay reachable.
 */
async function lowerCaseIds(tx: Transaction, kind: keyof typeof idColumns): Promise<void> {
  const [[owner, key], ...references] = idColumns[kind];
  const upper = await tx.execute(`SELECT ${key} AS id FROM ${owner} WHERE ${key} <> lower(${key})`);
  if (upper.rows.length === 0) return;
  await tx.execute('CREATE TEMP TABLE id_case_map (old TEXT PRIMARY KEY, new TEXT NOT NULL) WITHOUT ROWID');
  // Two spellings of one UUID in capitals (`ABC…`, `Abc…`) both lower to one id: only the first takes it.
  const assigned = new Set<string>();
  for (const row of upper.rows) {
    const old = String(row.id);
    const lower = old.toLowerCase();
    const taken = await tx.execute({ sql: `SELECT 1 FROM ${owner} WHERE ${key} = ?`, args: [lower] });
    const id = taken.rows.length === 0 && !assigned.has(lower) ? lower : newId();
    assigned.add(id);
    await tx.execute({ sql: 'INSERT INTO id_case_map (old, new) VALUES (?, ?)', args: [old, id] });
  }
  for (const [table, column] of [[owner, key], ...references]) {
    await tx.execute(
      `UPDATE ${table} SET ${column} = (SELECT new FROM id_case_map WHERE old = ${table}.${column})
       WHERE ${column} IN (SELECT old FROM id_case_map)`,
    );
  }
  await tx.execute('DROP TABLE temp.id_case_map');
}

/**
 * UUIDs are compared in lower case from this version on: the input schemas lower-case every id
 * (RFC 9562 reads UUIDs case-insensitively), so an id sent in capitals names the same episode as
 * in lower case. Before, it was stored as given, and the same UUID in the other case was another
 * episode, unreachable by the id it was made with. The parents and their references change in
 * one transaction; foreign keys are checked at its commit.
 */
export const v1_20_0: Migration = {
  version: '1.20.0',
  description: 'episode and step ids in lower case, as inputs are now read',
  statements: [
    'PRAGMA defer_foreign_keys = ON',
    (tx) => lowerCaseIds(tx, 'episode'),
    (tx) => lowerCaseIds(tx, 'step'),
  ],
};
