import type { InStatement, Transaction } from '@libsql/client';
import { type AuditEvent, localActor } from '../audit/audit-event.js';
import { episodeColumns, toEpisode } from '../db/rows.js';
import { SqlFilter } from '../db/sql-filter.js';
import type { EngineContext } from '../engine-context.js';
import { newId } from '../ids.js';
import { enqueueStatement } from '../learning/learning-queue.js';
import { changingIndexes, type IndexChange } from '../retrieval/index-changes.js';
import type { TermCounts } from '../retrieval/term-counts.js';
import type { CompleteEpisodeInput, StartEpisodeInput, StepInput } from '../schemas/input-schemas.js';
import { nowIso } from '../schemas/timestamp.js';
import { docRefreshDue, eagerDocSteps, refreshEndingDocs } from '../search/episode-docs.js';
import type { AppendedSteps, CallOptions, Episode } from '../types.js';
import { parseInput } from '../validate.js';
import { completionTime } from './completion-time.js';
import { insertEpisode } from './insert-episode.js';
import { insertSteps } from './insert-steps.js';
import {
  type RecordEpisodesInput,
  type RecordedEpisode,
  recordEpisode,
  recordEpisodesSchema,
  stepCounts,
} from './record-episodes.js';
import { archiveDiffers, completionDiffers, repeatedEnd } from './repeated-end.js';
import { repeatedStart } from './repeated-start.js';
import { Refusal, refusal } from './write-refusal.js';

export interface EpisodeWritesDeps {
  /**
   * This process's learners, which a finished episode is queued for beside those other processes
   * registered (their queue rows commit with the outcome).
   */
  learners: () => readonly string[];
  /** The document counts retrieval keeps, which this process's writes of new text keep valid. */
  counts: TermCounts;
}

export function createEpisodeWrites(context: EngineContext, deps: EpisodeWritesDeps) {
  const { schemas, audit } = context;
  // Over a network every statement is a round trip, and other instances' writes start the counts
  // over anyway: only a local store's writes read the index state for `deps.counts`.
  const { kind } = context.db.location;
  const tracked = kind === 'file' || kind === 'memory';

  /** `write` (of `episodeIds`' text), with the change it makes to the full-text indexes when tracked. */
  function indexing<T>(
    tx: Transaction,
    episodeIds: readonly string[],
    write: () => Promise<T>,
  ): Promise<[T, IndexChange | null]> {
    return tracked
      ? changingIndexes(tx, deps.counts, episodeIds, write)
      : write().then((value) => [value, null]);
  }

  /** Passes a committed write's change to the full-text indexes on. */
  const indexed = (change: IndexChange | null) => {
    if (change !== null) deps.counts.written(change);
  };

  /** Runs a write and audits it in its own transaction; a refusal is audited once the transaction rolled back. */
  async function audited<T>(
    event: Omit<AuditEvent, 'outcome' | 'actor'>,
    options: CallOptions,
    section: (tx: Transaction, record: (domain: string) => Promise<unknown>) => Promise<T>,
  ): Promise<T> {
    const actor = options.actor ?? localActor;
    try {
      return await context.db.write((tx) =>
        section(tx, (domain) => audit.inTransaction(tx, { ...event, actor, domain, outcome: 'ok' })),
      );
    } catch (caught) {
      if (caught instanceof Refusal) {
        audit.record({ ...event, actor, domain: caught.domain, outcome: caught.denied ? 'denied' : 'error' });
        throw caught.error;
      }
      audit.record({ ...event, actor, outcome: 'error' });
      throw caught;
    }
  }

  function updateEpisode(
    id: string,
    options: CallOptions,
    change: string,
    build: (filter: SqlFilter) => InStatement,
    ending: {
      /** How the stored episode differs from this end, when the update met it ended (`repeatedEnd`). */
      differs: (episode: Episode) => string[] | null;
      /** More writes in the same transaction once the end is stored. */
      after?: (tx: Transaction, episode: Episode) => Promise<unknown>;
      completedAt?: string | undefined;
    },
  ): Promise<Episode> {
    return audited(
      { operation: 'update', entityType: 'episode', entityId: id },
      options,
      async (tx, record) => {
        const filter = new SqlFilter().when('id = ?', id).scope('domain', options.scope);
        // An episode that ends is searched whole from now on: its document may lack recent steps.
        await tx.execute(
          refreshEndingDocs({ sql: `SELECT id FROM episodes WHERE ${filter.sql}`, args: filter.args }),
        );
        const row = (await tx.execute(build(filter))).rows[0];
        if (row === undefined) {
          const repeated = await repeatedEnd(tx, id, options.scope, change, ending.differs);
          if (repeated === null) throw await refusal(tx, id, options.scope, change, ending.completedAt);
          await record(repeated.domain);
          return repeated;
        }
        const episode = toEpisode(row);
        await ending.after?.(tx, episode);
        await record(episode.domain);
        return episode;
      },
    );
  }

  return {
    async startEpisode(input: StartEpisodeInput, options: CallOptions = {}): Promise<Episode> {
      const data = parseInput(schemas.startEpisode, input, 'episode');
      const fresh: Episode = {
        id: data.id ?? newId(),
        taskType: data.taskType,
        domain: data.domain,
        context: data.context ?? null,
        status: 'active',
        successRate: null,
        createdAt: data.createdAt ?? nowIso(),
        completedAt: null,
        metadata: data.metadata ?? null,
        embeddingVersion: null,
      };
      const [episode, change] = await audited(
        { operation: 'create', entityType: 'episode', entityId: fresh.id },
        options,
        async (tx, record): Promise<[Episode, IndexChange | null]> => {
          // A start sent again with its id (its answer was lost) meets the episode it started.
          const started =
            data.id === undefined ? null : await repeatedStart(tx, data.id, data, options.scope);
          const [, change] =
            started === null
              ? await indexing(tx, [fresh.id], () => insertEpisode(tx, fresh, options.scope))
              : [null, null];
          await record(fresh.domain);
          return [started ?? fresh, change];
        },
      );
      indexed(change);
      return episode;
    },

    async appendSteps(
      episodeId: string,
      steps: StepInput[],
      options: CallOptions = {},
    ): Promise<AppendedSteps> {
      const id = parseInput(schemas.id, episodeId, 'episode id', 'episodeId');
      const data = parseInput(schemas.steps, steps, 'steps', 'steps');
      const [stored, change] = await audited(
        { operation: 'create', entityType: 'steps', entityId: id },
        options,
        async (tx, record) => {
          const filter = new SqlFilter().when('id = ?', id).scope('domain', options.scope);
          const row = (
            await tx.execute({
              sql: `SELECT status, domain, (SELECT COALESCE(MAX(step_number), 0) FROM steps WHERE episode_id = ?) AS steps
                    FROM episodes WHERE ${filter.sql}`,
              args: [id, ...filter.args],
            })
          ).rows[0];
          if (row === undefined || row.status !== 'active')
            throw await refusal(tx, id, options.scope, 'given more steps');
          const domain = String(row.domain);
          // Decided before the write, on the most steps it can add (a retried id adds none): the
          // index bookkeeping reads the document before the write only when the write changes it.
          const before = Number(row.steps);
          const refresh = docRefreshDue(before, before + data.length);
          // Past `eagerDocSteps` a re-index also brings in the steps appended since the last one,
          // which the bookkeeping does not see: untracked, the counts are read again instead.
          const [written, change] =
            refresh && before > eagerDocSteps
              ? [await insertSteps(tx, id, data, true), null]
              : await indexing(tx, refresh ? [id] : [], () => insertSteps(tx, id, data, refresh));
          await record(domain);
          return [{ domain, steps: written }, change] as const;
        },
      );
      indexed(change);
      return stored;
    },

    async completeEpisode(episodeId: string, input: CompleteEpisodeInput, options: CallOptions = {}) {
      const id = parseInput(schemas.id, episodeId, 'episode id', 'episodeId');
      const data = parseInput(schemas.completeEpisode, input, 'completion');
      // Without an explicit rate the outcome itself is the rate: a completed run succeeded.
      const successRate = data.successRate ?? (data.status === 'completed' ? 1 : 0);
      const learners = deps.learners();
      const end = completionTime(data.completedAt);
      return updateEpisode(
        id,
        options,
        'completed',
        (filter) => ({
          sql: `UPDATE episodes SET status = ?, outcome = ?, success_rate = ?, completed_at = ${end.sql}
              WHERE ${filter.sql} AND status = 'active' AND ${end.condition} RETURNING ${episodeColumns}`,
          args: [data.status, data.status, successRate, ...end.args, ...filter.args, ...end.conditionArgs],
        }),
        {
          differs: (episode) => completionDiffers({ ...data, successRate }, episode),
          // Learning happens later, off this path; the queue row makes it as durable as the outcome.
          after: async (tx) => void (await tx.execute(enqueueStatement(id, learners))),
          completedAt: data.completedAt,
        },
      );
    },

    /** `episodes.record`: every record in one transaction, so a refused one leaves nothing written. */
    async recordEpisodes(input: RecordEpisodesInput, options: CallOptions = {}): Promise<RecordedEpisode[]> {
      const records = parseInput(recordEpisodesSchema(schemas), input, 'episodes');
      const learners = deps.learners();
      const [written, change] = await audited(
        { operation: 'create', entityType: 'episodes', entityId: records[0]?.id },
        options,
        async (tx, record) => {
          const ids = records.map((item) => item.id);
          const before = await stepCounts(tx, ids);
          const writeAll = async () => {
            const written: RecordedEpisode[] = [];
            for (const [index, item] of records.entries())
              written.push(
                await recordEpisode(tx, item, options.scope, learners, before.get(item.id) ?? 0, index),
              );
            return written;
          };
          // A long episode's document may be waiting for steps (`docRefreshDue`), and re-indexing
          // it (a new context, a due append) brings them in, which the bookkeeping does not see:
          // such a call is untracked, and the counts are read again.
          const long = ids.some((id) => (before.get(id) ?? 0) > eagerDocSteps);
          const recorded = long ? ([await writeAll(), null] as const) : await indexing(tx, ids, writeAll);
          for (const domain of new Set(records.map((item) => item.domain))) await record(domain);
          return recorded;
        },
      );
      indexed(change);
      return written;
    },

    async archiveEpisode(episodeId: string, options: CallOptions = {}) {
      const id = parseInput(schemas.id, episodeId, 'episode id', 'episodeId');
      // Archiving an active episode ends it: as completing does, never before it began.
      const end = completionTime(undefined);
      return updateEpisode(
        id,
        options,
        'archived',
        (filter) => ({
          sql: `UPDATE episodes SET status = 'archived', completed_at = COALESCE(completed_at, ${end.sql})
              WHERE ${filter.sql} AND status != 'archived' RETURNING ${episodeColumns}`,
          args: [...end.args, ...filter.args],
        }),
        { differs: archiveDiffers },
      );
    },
  };
}
