import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { z } from 'zod';
import { localActor } from '../audit/audit-event.js';
import { assertDatabaseUnused } from '../db/presence.js';
import { episodeColumns, toEpisode } from '../db/rows.js';
import { diskFullPartway } from '../db/storage-errors.js';
import type { EngineContext } from '../engine-context.js';
import { boundedSteps, stepsByEpisode } from '../episodes/read-episodes.js';
import { EpisodicError } from '../errors.js';
import { resolveFailedStatement } from '../learning/learning-queue.js';
import type { EpisodeWithAllSteps } from '../types.js';
import { parseInput } from '../validate.js';
import { embedDeadline, embeddingsLearner } from './embedding-engine.js';
import { embeddingStamp } from './embedding-stamp.js';
import { embedEpisodes, replaceEmbeddingsStatements } from './episode-embeddings.js';
import { refusedInput } from './refused-input.js';

/**
 * Refuses (`CONFLICT`) a reindex of the database file at `path` while another process has it open
 * (but for the marker `except`, the caller's own): it would go on embedding with the old model,
 * into a store left with both. A command checks before it opens the store, which would bring an
 * older store to this version's schema under that process.
 */
export function assertReindexable(path: string, except?: string): void {
  assertDatabaseUnused(
    path,
    'reindex',
    'Stop the servers, workers and scripts using it first, and start them with the new provider once the reindex is done.',
    except,
  );
}

export const reindexOptionsSchema = z.strictObject({
  /** Episodes embedded and committed together; a crash loses at most one batch of work. */
  batchSize: z.number().int().min(1).max(1000).default(64),
  /** Stops between batches (and inside the provider's call); finished batches stay committed. */
  signal: z.instanceof(AbortSignal).optional(),
  /** Called after each committed batch. */
  onProgress: z
    .custom<(progress: ReindexProgress) => void>((value) => typeof value === 'function')
    .optional(),
  /** Who asked, for the audit log (a token id); `local` by default. */
  actor: z.string().min(1).max(128).optional(),
});
export type ReindexOptions = z.input<typeof reindexOptionsSchema>;

export interface ReindexProgress {
  /** `provider/model/dimensions` of the provider being indexed with. */
  stamp: string;
  /** Episodes embedded so far by this call. */
  embedded: number;
  /** Finished episodes that needed embedding when this call started. */
  pending: number;
}

export interface ReindexReport extends ReindexProgress {
  /** Finished episodes already embedded with this provider when the call started (a resumed reindex skips them). */
  alreadyCurrent: number;
  /**
   * Rows of other models still stored once every episode was re-embedded, then deleted. Each
   * batch replaces its episodes' rows, so this is 0 unless rows were left behind some other way.
   */
  staleRowsRemoved: number;
  /**
   * Episodes the provider refused for good (a 4xx no cut cures, such as an input over its
   * context): stamped with this provider and no vector, so they are found by text only. One such
   * episode stopped every run of the reindex at its batch, and the store opened with neither model.
   */
  refused: string[];
}

/** Finished episodes: every one that is not `active` (archived ones can still be retrieved by status). */
const finished = "status != 'active'";

async function loadBatch(
  context: EngineContext,
  after: string,
  stamp: string,
  size: number,
): Promise<EpisodeWithAllSteps[]> {
  // The next batch not embedded by this model, and its steps, from one snapshot.
  const batch = `FROM episodes WHERE id > ? AND ${finished} AND embedding_version IS NOT ? ORDER BY id LIMIT ?`;
  const [episodeRows, stepRows] = await context.db.readBatch([
    { sql: `SELECT ${episodeColumns} ${batch}`, args: [after, stamp, size] },
    // Read as the embedding learner reads them, so a reindex embeds the same text.
    boundedSteps(`SELECT id ${batch}`, [after, stamp, size]),
  ]);
  const steps = stepsByEpisode(stepRows?.rows ?? []);
  return (episodeRows?.rows ?? []).map((row) => {
    const episode = toEpisode(row);
    return { ...episode, steps: steps.get(episode.id) ?? [] };
  });
}

/**
 * Re-embeds every finished episode whose vectors were not made by `provider`, in batches of
 * episodes, each batch one transaction that replaces their rows and stamps them. The stamps are
 * the progress record: calling it again after an interruption (crash, abort, provider outage)
 * embeds only what is left. Once nothing is left, rows of any other model are deleted.
 */
export async function reindexEpisodes(
  context: EngineContext,
  provider: EmbeddingProviderV1,
  input: ReindexOptions = {},
): Promise<ReindexReport> {
  const options = parseInput(reindexOptionsSchema, input, 'reindex options');
  const event = { actor: options.actor ?? localActor, operation: 'admin', entityType: 'embeddings' } as const;
  try {
    const report = await reembed(context, provider, options);
    context.audit.record({ ...event, outcome: 'ok' });
    return report;
  } catch (error) {
    context.audit.record({ ...event, outcome: 'error' });
    throw error;
  }
}

async function reembed(
  context: EngineContext,
  provider: EmbeddingProviderV1,
  options: z.output<typeof reindexOptionsSchema>,
): Promise<ReindexReport> {
  const stamp = embeddingStamp(provider);
  const counts = (
    await context.db.read({
      sql: `SELECT COUNT(*) AS total, COALESCE(SUM(embedding_version IS ?), 0) AS current FROM episodes WHERE ${finished}`,
      args: [stamp],
    })
  ).rows[0];
  const alreadyCurrent = Number(counts?.current ?? 0);
  const progress: ReindexProgress = {
    stamp,
    embedded: 0,
    pending: Number(counts?.total ?? 0) - alreadyCurrent,
  };
  let after = '';
  const refused: string[] = [];
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const episodes = await loadBatch(context, after, stamp, options.batchSize);
      if (episodes.length === 0) break;
      const rows = await embedIsolating(context, provider, episodes, options.signal, refused);
      const ids = episodes.map((episode) => episode.id);
      await context.db.write((tx) =>
        tx.batch([
          ...replaceEmbeddingsStatements(provider, ids, rows),
          // The embedder's rows that gave up on these episodes: the work is done now.
          resolveFailedStatement(embeddingsLearner, ids),
        ]),
      );
      progress.embedded += episodes.length;
      after = ids[ids.length - 1] as string;
      options.onProgress?.({ ...progress });
    }
  } catch (error) {
    if (progress.embedded === 0) throw error;
    const partway =
      `${progress.embedded} of ${progress.pending} episodes were re-embedded and kept, the rest hold the ` +
      'vectors they had (so a store opens with neither model until the reindex ends).';
    const full = diskFullPartway(
      error,
      `${partway} Free space on it, then run the reindex again: it embeds only what is left.`,
    );
    if (full !== error || !EpisodicError.isInstance(error)) throw full;
    // An outage of the provider, an abort: said as plainly, or the operator read only the cause.
    throw new EpisodicError(
      error.code,
      `${error.message} ${partway} Run the reindex again once that is mended: it embeds only what is left.`,
      { cause: error.cause ?? error, issues: error.issues },
    );
  }
  const removed = await context.db.write((tx) =>
    // Two ranges rather than `!=`, so the model index finds them without a scan.
    tx.execute({
      sql: 'DELETE FROM embeddings WHERE model_name < ? OR model_name > ?',
      args: [stamp, stamp],
    }),
  );
  if (refused.length > 0)
    context.config.logger.warn(
      `episodic: reindex: ${embeddingStamp(provider)} refused ${refused.length} episodes for good; they have no vector ` +
        `and are found by text only: ${refused.slice(0, 10).join(', ')}${refused.length > 10 ? ', …' : ''}`,
    );
  return { ...progress, alreadyCurrent, staleRowsRemoved: removed.rowsAffected, refused };
}

/**
 * `embedEpisodes`, but a batch the provider refuses for good (`refusedInput`) is halved until each
 * refused episode stands alone; such an episode gets no rows, and its id is added to `refused`.
 * A whole batch of several that the provider refuses, one by one, fails as it did (`whole`: the
 * batch, not one of its halves, where two refused episodes side by side are no such sign).
 */
async function embedIsolating(
  context: EngineContext,
  provider: EmbeddingProviderV1,
  episodes: EpisodeWithAllSteps[],
  signal: AbortSignal | undefined,
  refused: string[],
  whole = true,
): ReturnType<typeof embedEpisodes> {
  try {
    return await embedEpisodes(provider, episodes, signal, embedDeadline(context));
  } catch (error) {
    const [only] = episodes;
    if (!refusedInput(error) || only === undefined) throw error;
    if (episodes.length === 1) {
      refused.push(only.id);
      return [];
    }
    const half = Math.ceil(episodes.length / 2);
    const before = refused.length;
    const rows = [
      ...(await embedIsolating(context, provider, episodes.slice(0, half), signal, refused, false)),
      ...(await embedIsolating(context, provider, episodes.slice(half), signal, refused, false)),
    ];
    // Every one of the batch refused: the provider refuses everything (a model name it does not
    // know), not these inputs. Stamped, they would all count as re-embedded, with no vector.
    if (whole && refused.length - before === episodes.length) {
      refused.length = before;
      throw error;
    }
    return rows;
  }
}
