import type { Transaction } from '@libsql/client';
import { z } from 'zod';
import { episodeColumns, stepColumns, toEpisode, toStep } from '../db/rows.js';
import { EpisodicError } from '../errors.js';
import { enqueueStatement } from '../learning/learning-queue.js';
import { checkedFirst } from '../schemas/checked-first.js';
import type { InputSchemas } from '../schemas/input-schemas.js';
import { nowIso } from '../schemas/timestamp.js';
import { docRefreshDue, eagerDocSteps, refreshEndingDocsOf } from '../search/episode-docs.js';
import type { AccessScope, Episode, Step } from '../types.js';
import { assertWritable, insertEpisode } from './insert-episode.js';
import { insertSteps } from './insert-steps.js';
import { completionDiffers } from './repeated-end.js';
import { Refusal, refusal } from './write-refusal.js';

/** Most episodes one `record` call writes. */
export const maxRecordsPerCall = 1000;

/**
 * Most steps one `record` call writes, over all its records. A call is one transaction, and a
 * local store's transaction holds the thread that serves every request: unbounded (1,000 records
 * of up to 1,000 steps each), one call of 100,000 steps stalled a server for 16 s. This is what
 * an OTLP request may carry (10,000 spans), ten 1,000-step `logSteps` calls' worth: about a
 * second on a 2-CPU machine.
 */
export const maxRecordedStepsPerCall = 10_000;

/**
 * `episodes.record`: episodes with client-chosen ids, whole or in parts (an OTLP export sends a
 * trace's spans in several requests). The start fields describe the episode; on an episode that
 * already exists and is active, `context` and `metadata` given here replace the stored ones.
 * A record whose own `outcome.completedAt` comes before its own `createdAt` is refused.
 */
export function recordEpisodesSchema(schemas: InputSchemas) {
  const records = z
    .array(
      schemas.startEpisode
        .extend({
          id: schemas.id,
          steps: schemas.steps.optional(),
          /** Completes the episode after its steps; absent, the episode stays active for more parts. */
          outcome: schemas.completeEpisode.optional(),
        })
        .refine(
          ({ createdAt, outcome }) =>
            createdAt === undefined || outcome?.completedAt === undefined || outcome.completedAt >= createdAt,
          { message: 'is before createdAt', path: ['outcome', 'completedAt'] },
        ),
    )
    .min(1)
    .max(maxRecordsPerCall);
  // The steps are counted before any is validated: 1,000 records of 1,000 steps each (8 MB) were
  // each checked, the serving thread held for 15 s, before the call was found too long.
  return checkedFirst(records, (input, ctx) => {
    if (!Array.isArray(input) || input.length > maxRecordsPerCall) return;
    const counts = input.map((record: unknown) => {
      const steps =
        typeof record === 'object' && record !== null ? (record as { steps?: unknown }).steps : null;
      return Array.isArray(steps) ? steps.length : 0;
    });
    const total = counts.reduce((sum, count) => sum + count, 0);
    if (total <= maxRecordedStepsPerCall) return;
    // The issue is on the record whose steps pass the bound, so the caller sees where to split.
    let running = 0;
    const index = counts.findIndex((count) => {
      running += count;
      return running > maxRecordedStepsPerCall;
    });
    ctx.addIssue({
      code: 'custom',
      message: `brings the call to ${total} steps; at most ${maxRecordedStepsPerCall} in one call (send the records in several)`,
      path: [index, 'steps'],
    });
  });
}

export type RecordEpisodesInput = z.input<ReturnType<typeof recordEpisodesSchema>>;
type ParsedRecord = z.output<ReturnType<typeof recordEpisodesSchema>>[number];

export interface RecordedEpisode {
  episode: Episode;
  /** The steps as stored, those given again (same id) included. */
  steps: Step[];
  /** New steps not stored because the episode had already finished (they came too late). */
  lateSteps: number;
  /**
   * The record's `outcome` was not stored: the episode had already ended otherwise (another
   * status or rate, or archived), and keeps that end. The same outcome again (a retry) is not late.
   */
  lateOutcome: boolean;
}

/** The stored steps of `episodeId` among `ids`: a finished episode keeps what a retry sends again. */
async function storedSteps(tx: Transaction, episodeId: string, ids: string[]): Promise<Map<string, Step>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.execute({
    sql: `SELECT ${stepColumns} FROM steps WHERE episode_id = ? AND id IN (${ids.map(() => '?').join(', ')})`,
    args: [episodeId, ...ids],
  });
  return new Map(rows.rows.map((row) => [String(row.id), toStep(row)]));
}

/** How many steps each of the episodes `ids` has (absent: none, or no such episode). */
export async function stepCounts(tx: Transaction, ids: readonly string[]): Promise<Map<string, number>> {
  const rows = await tx.execute({
    sql: `SELECT episode_id, MAX(step_number) AS steps FROM steps
          WHERE episode_id IN (SELECT value FROM json_each(?)) GROUP BY episode_id`,
    args: [JSON.stringify([...new Set(ids)])],
  });
  return new Map(rows.rows.map((row) => [String(row.episode_id), Number(row.steps)]));
}

/**
 * Writes one record inside the caller's transaction: creates the episode if its id is new,
 * appends the steps and sets the outcome while it is active; once finished, steps already
 * stored are a retry and new ones are counted as late. `stepsBefore` is how many steps the
 * episode had when the call began: the episode's document is re-indexed with new steps on
 * every record up to `eagerDocSteps`, then on the schedule of `docRefreshDue`. `index` is the
 * record's place in the call's input, for the paths of what is refused.
 */
export async function recordEpisode(
  tx: Transaction,
  record: ParsedRecord,
  scope: AccessScope | undefined,
  learners: readonly string[],
  stepsBefore: number,
  index: number,
): Promise<RecordedEpisode> {
  // Before the look-up: a record naming a domain the caller may not write answers alike whether
  // or not its id is taken there (it answered NOT_FOUND when taken, FORBIDDEN when not).
  assertWritable(record.domain, scope);
  const found = (
    await tx.execute({
      sql: 'SELECT status, domain, task_type FROM episodes WHERE id = ?',
      args: [record.id],
    })
  ).rows[0];
  // `createdAt` is the start of the episode: it counts when this record creates it, not on a later part.
  if (found === undefined)
    await insertEpisode(
      tx,
      {
        ...record,
        context: record.context ?? null,
        metadata: record.metadata ?? null,
        createdAt: record.createdAt ?? nowIso(),
      },
      scope,
    );
  else if (
    (scope !== undefined && !scope.domains.includes(String(found.domain))) ||
    String(found.domain) !== record.domain
  ) {
    const refused = await refusal(tx, record.id, scope, 'recorded in another domain');
    // Seen by the caller (out of its scope it is NOT_FOUND, and says nothing more): the field at fault.
    if (refused.code !== 'CONFLICT') throw refused;
    const issue = { path: `${index}.domain`, message: `the episode is in domain "${String(found.domain)}"` };
    throw new Refusal(
      new EpisodicError('CONFLICT', refused.message, { issues: [issue] }),
      refused.denied,
      refused.domain,
    );
  } else if (
    found.status === 'active' &&
    (record.context !== undefined || record.metadata !== undefined || record.taskType !== found.task_type)
  )
    // The latest part's task type stands while the episode is active, as its context does: an
    // exporter sends a trace's root span (which names the task type) last, after parts that
    // could only give the default. It used to be kept from the first part, without a word.
    await tx.execute({
      sql: `UPDATE episodes SET context = COALESCE(?, context), metadata = COALESCE(?, metadata), task_type = ?
        WHERE id = ?`,
      args: [
        record.context ?? null,
        record.metadata === undefined ? null : JSON.stringify(record.metadata),
        record.taskType,
        record.id,
      ],
    });

  const active = found === undefined || found.status === 'active';
  let lateSteps = 0;
  let steps: Step[] = [];
  const given = record.steps ?? [];
  if (active && given.length > 0) {
    const refresh = stepsBefore <= eagerDocSteps || docRefreshDue(stepsBefore, stepsBefore + given.length);
    steps = await insertSteps(tx, record.id, given, refresh, `${index}.steps`);
  }
  if (!active) {
    const ids = given.flatMap((step) => (step.id === undefined ? [] : [step.id]));
    const stored = await storedSteps(tx, record.id, ids);
    // A retry is answered with the steps as stored, as while the episode was active.
    for (const step of given) {
      const kept = step.id === undefined ? undefined : stored.get(step.id);
      if (kept === undefined) lateSteps += 1;
      else steps.push(kept);
    }
  }
  // A finished episode is not changed by a record: read once, for the outcome and the answer.
  const finished = active ? null : toEpisode(await episodeRow(tx, record.id));
  const lateOutcome =
    finished !== null && record.outcome !== undefined && endsOtherwise(record.outcome, finished);
  if (active && record.outcome !== undefined) {
    // Whole before it ends. Within the index bookkeeping only when the episode had at most
    // `eagerDocSteps` steps, whose document is whole already: re-indexing it changes no word.
    await tx.execute(refreshEndingDocsOf([record.id]));
    const successRate = record.outcome.successRate ?? (record.outcome.status === 'completed' ? 1 : 0);
    // Against a start stored by an earlier part the end is raised to it, not refused: parts come
    // from exporters whose clocks and batches disagree, and a refusal would lose the whole request.
    await tx.execute({
      sql: `UPDATE episodes SET status = ?, outcome = ?, success_rate = ?, completed_at = MAX(?, created_at)
            WHERE id = ?`,
      args: [
        record.outcome.status,
        record.outcome.status,
        successRate,
        record.outcome.completedAt ?? nowIso(),
        record.id,
      ],
    });
    await tx.execute(enqueueStatement(record.id, learners));
  }
  return { episode: finished ?? toEpisode(await episodeRow(tx, record.id)), steps, lateSteps, lateOutcome };
}

async function episodeRow(tx: Transaction, id: string) {
  const row = (await tx.execute({ sql: `SELECT ${episodeColumns} FROM episodes WHERE id = ?`, args: [id] }))
    .rows[0];
  return row as NonNullable<typeof row>;
}

/** Whether a record's outcome differs from how its finished episode ended, as `complete` judges it. */
function endsOtherwise(outcome: NonNullable<ParsedRecord['outcome']>, episode: Episode): boolean {
  const successRate = outcome.successRate ?? (outcome.status === 'completed' ? 1 : 0);
  // Stored raised to the episode's start, as the outcome was when it was recorded.
  const completedAt =
    outcome.completedAt === undefined || outcome.completedAt >= episode.createdAt
      ? outcome.completedAt
      : episode.createdAt;
  const fields = completionDiffers({ status: outcome.status, successRate, completedAt }, episode);
  return fields === null || fields.length > 0;
}
