import type { Transaction } from '@libsql/client';
import { episodeColumns, toEpisode } from '../db/rows.js';
import { SqlFilter } from '../db/sql-filter.js';
import { EpisodicError } from '../errors.js';
import type { AccessScope, Episode } from '../types.js';
import { Refusal } from './write-refusal.js';

/** An outcome as `complete` stores it: the rate defaulted from the status. */
export interface StoredOutcome {
  status: 'completed' | 'failed';
  successRate: number;
  completedAt?: string | undefined;
}

/**
 * Which fields of a completion differ from how the episode already ended, or `null` when the
 * episode did not end by a completion (it is active, or archived: `refusal` says why). A field
 * not given is not compared (`completedAt`).
 */
export function completionDiffers(outcome: StoredOutcome, episode: Episode): string[] | null {
  if (episode.status !== 'completed' && episode.status !== 'failed') return null;
  return [
    outcome.status !== episode.status && 'status',
    outcome.successRate !== episode.successRate && 'successRate',
    outcome.completedAt !== undefined && outcome.completedAt !== episode.completedAt && 'completedAt',
  ].filter((field) => field !== false);
}

/** An archive meets an episode already archived as the same request; any other state as `refusal` says. */
export function archiveDiffers(episode: Episode): string[] | null {
  return episode.status === 'archived' ? [] : null;
}

/**
 * What an end (`complete`, `archive`) meets when its update changed no row: the episode as it
 * is, when it already ended as this request asks (a retry whose answer was lost, from a client
 * in any language), so the retry writes nothing and answers as the first did. An end that
 * differs is a CONFLICT naming the fields; `null` leaves the answer to `refusal` (no such episode
 * in scope, or a state this end cannot meet).
 */
export async function repeatedEnd(
  tx: Transaction,
  id: string,
  scope: AccessScope | undefined,
  change: string,
  differs: (episode: Episode) => string[] | null,
): Promise<Episode | null> {
  const filter = new SqlFilter().when('id = ?', id).scope('domain', scope);
  const row = (
    await tx.execute({ sql: `SELECT ${episodeColumns} FROM episodes WHERE ${filter.sql}`, args: filter.args })
  ).rows[0];
  if (row === undefined) return null;
  const episode = toEpisode(row);
  const fields = differs(episode);
  if (fields === null) return null;
  if (fields.length === 0) return episode;
  const message = `differs from how the episode already ended (${episode.status}, successRate ${episode.successRate}): it cannot be ${change} again otherwise`;
  const issues = fields.map((path) => ({ path, message }));
  const conflict = new EpisodicError(
    'CONFLICT',
    `Episode ${id} is ${episode.status}; it cannot be ${change} again with another ${fields.join(', ')}.`,
    { issues },
  );
  throw new Refusal(conflict, false, episode.domain);
}
