import type { Transaction } from '@libsql/client';
import { EpisodicError } from '../errors.js';
import type { AccessScope, Episode } from '../types.js';
import { Refusal } from './write-refusal.js';

type NewEpisode = Pick<Episode, 'id' | 'taskType' | 'domain' | 'context' | 'createdAt' | 'metadata'>;

/** Refuses (FORBIDDEN) a write to a domain outside the caller's scope. */
export function assertWritable(domain: string, scope: AccessScope | undefined): void {
  if (scope === undefined || scope.domains.includes(domain)) return;
  const forbidden = new EpisodicError('FORBIDDEN', `This caller may not write to domain "${domain}".`);
  throw new Refusal(forbidden, true, domain);
}

/** Inserts an active episode after checking its domain against the caller's scope (`start` and `record`). */
export async function insertEpisode(tx: Transaction, episode: NewEpisode, scope: AccessScope | undefined) {
  assertWritable(episode.domain, scope);
  await tx.execute({
    sql: `INSERT INTO episodes (id, task_type, domain, context, status, created_at, metadata)
          VALUES (?, ?, ?, ?, 'active', ?, ?)`,
    args: [
      episode.id,
      episode.taskType,
      episode.domain,
      episode.context,
      episode.createdAt,
      episode.metadata === null ? null : JSON.stringify(episode.metadata),
    ],
  });
}
