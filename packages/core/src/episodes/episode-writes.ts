import type { InStatement, Transaction } from '@libsql/client';
import { assertDomainInScope } from '../access-scope.js';
import { episodeColumns, toEpisode } from '../db/rows.js';
import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import { EpisodicError } from '../errors.js';
import { newId } from '../ids.js';
import type { CompleteEpisodeInput, StartEpisodeInput, StepInput } from '../schemas/input-schemas.js';
import { nowIso } from '../schemas/timestamp.js';
import type { AccessScope, CallOptions, Episode } from '../types.js';
import { parseInput } from '../validate.js';
import { insertSteps } from './insert-steps.js';

function notFound(id: string): EpisodicError {
  return new EpisodicError('NOT_FOUND', `Episode ${id} does not exist.`);
}

/**
 * Explains why a conditional UPDATE touched no row: the episode is missing (or out of scope,
 * which must look the same) or it is in a state that forbids the change.
 */
async function refusal(tx: Transaction, id: string, scope: AccessScope | undefined, change: string) {
  const filter = new SqlFilter().when('id = ?', id).scope('domain', scope);
  const row = (await tx.execute({ sql: `SELECT status FROM episodes WHERE ${filter.sql}`, args: filter.args }))
    .rows[0];
  if (row === undefined) return notFound(id);
  return new EpisodicError('CONFLICT', `Episode ${id} is ${String(row.status)}; it cannot be ${change}.`);
}

async function updateEpisode(
  context: EngineContext,
  id: string,
  scope: AccessScope | undefined,
  change: string,
  build: (filter: SqlFilter) => InStatement,
): Promise<Episode> {
  return context.db.write(async (tx) => {
    const row = (await tx.execute(build(new SqlFilter().when('id = ?', id).scope('domain', scope)))).rows[0];
    if (row === undefined) throw await refusal(tx, id, scope, change);
    return toEpisode(row);
  });
}

export function createEpisodeWrites(context: EngineContext) {
  const { schemas } = context;
  return {
    async startEpisode(input: StartEpisodeInput, options: CallOptions = {}): Promise<Episode> {
      const data = parseInput(schemas.startEpisode, input, 'episode');
      assertDomainInScope(data.domain, options.scope);
      const episode: Episode = {
        id: newId(),
        taskType: data.taskType,
        domain: data.domain,
        context: data.context ?? null,
        status: 'active',
        successRate: null,
        createdAt: nowIso(),
        completedAt: null,
        metadata: data.metadata ?? null,
        embeddingVersion: null,
      };
      await context.db.write((tx) =>
        tx.execute({
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
        }),
      );
      return episode;
    },

    async logSteps(episodeId: string, steps: StepInput[], options: CallOptions = {}) {
      const id = parseInput(schemas.id, episodeId, 'episode id', 'episodeId');
      const data = parseInput(schemas.steps, steps, 'steps', 'steps');
      return context.db.write(async (tx) => {
        const filter = new SqlFilter().when('id = ?', id).scope('domain', options.scope);
        const row = (
          await tx.execute({ sql: `SELECT status FROM episodes WHERE ${filter.sql}`, args: filter.args })
        ).rows[0];
        if (row === undefined) throw notFound(id);
        if (row.status !== 'active') {
          throw new EpisodicError('CONFLICT', `Episode ${id} is ${String(row.status)}; no more steps can be logged.`);
        }
        return insertSteps(tx, id, data);
      });
    },

    async completeEpisode(episodeId: string, input: CompleteEpisodeInput, options: CallOptions = {}) {
      const id = parseInput(schemas.id, episodeId, 'episode id', 'episodeId');
      const data = parseInput(schemas.completeEpisode, input, 'completion');
      // Without an explicit rate the outcome itself is the rate: a completed run succeeded.
      const successRate = data.successRate ?? (data.status === 'completed' ? 1 : 0);
      return updateEpisode(context, id, options.scope, 'completed', (filter) => ({
        sql: `UPDATE episodes SET status = ?, success_rate = ?, completed_at = ?
              WHERE ${filter.sql} AND status = 'active' RETURNING ${episodeColumns}`,
        args: [data.status, successRate, nowIso(), ...filter.args],
      }));
    },

    async archiveEpisode(episodeId: string, options: CallOptions = {}) {
      const id = parseInput(schemas.id, episodeId, 'episode id', 'episodeId');
      return updateEpisode(context, id, options.scope, 'archived', (filter) => ({
        sql: `UPDATE episodes SET status = 'archived', completed_at = COALESCE(completed_at, ?)
              WHERE ${filter.sql} AND status != 'archived' RETURNING ${episodeColumns}`,
        args: [nowIso(), ...filter.args],
      }));
    },
  };
}
