import { isDeepStrictEqual } from 'node:util';
import type { Transaction } from '@libsql/client';
import type { z } from 'zod';
import { episodeColumns, toEpisode } from '../db/rows.js';
import { EpisodicError } from '../errors.js';
import type { InputSchemas } from '../schemas/input-schemas.js';
import type { AccessScope, Episode } from '../types.js';
import { assertWritable } from './insert-episode.js';
import { Refusal } from './write-refusal.js';

type ParsedStart = z.output<InputSchemas['startEpisode']>;

/** The start fields that differ from the stored episode's, as given (`createdAt` only when given). */
function differingFields(start: ParsedStart, episode: Episode): string[] {
  // Metadata as JSON stores it (-0 is 0), in any key order.
  const metadata = start.metadata === undefined ? null : JSON.parse(JSON.stringify(start.metadata));
  return [
    start.taskType !== episode.taskType && 'taskType',
    start.domain !== episode.domain && 'domain',
    (start.context ?? null) !== episode.context && 'context',
    !isDeepStrictEqual(metadata, episode.metadata) && 'metadata',
    start.createdAt !== undefined && start.createdAt !== episode.createdAt && 'createdAt',
  ].filter((field) => field !== false);
}

/**
 * What a start with a client-chosen `id` meets: `null` when the id is free (never used, or
 * forgotten: forget keeps no trace of an id, and `record` takes such an id again too), else the
 * episode an earlier start with the same input made, as it is now. That is a retry whose answer
 * was lost. The id of an episode started with other input is refused (CONFLICT, with the fields
 * that differ), and so is one outside the caller's scope, without a word of that episode.
 */
export async function repeatedStart(
  tx: Transaction,
  id: string,
  start: ParsedStart,
  scope: AccessScope | undefined,
): Promise<Episode | null> {
  // First the caller's own domain: a caller that may not write it learns nothing about the id.
  assertWritable(start.domain, scope);
  const row = (await tx.execute({ sql: `SELECT ${episodeColumns} FROM episodes WHERE id = ?`, args: [id] }))
    .rows[0];
  if (row === undefined) return null;
  const episode = toEpisode(row);
  if (scope !== undefined && !scope.domains.includes(episode.domain)) {
    const issue = { path: 'id', message: 'is taken: start the episode with another id' };
    const taken = new EpisodicError('CONFLICT', `Invalid start of episode ${id}: id: ${issue.message}`, {
      issues: [issue],
    });
    throw new Refusal(taken, true, episode.domain);
  }
  const fields = differingFields(start, episode);
  if (fields.length === 0) return episode;
  const message = `differs from the episode already started with this id (send the same input again, or another id)`;
  const issues = fields.map((path) => ({ path, message }));
  const detail = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  const conflict = new EpisodicError('CONFLICT', `Invalid start of episode ${id}: ${detail}`, { issues });
  throw new Refusal(conflict, false, episode.domain);
}
