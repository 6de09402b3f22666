import type { Transaction } from '@libsql/client';
import type { z } from 'zod';
import { stepColumns, toStep } from '../db/rows.js';
import { EpisodicError } from '../errors.js';
import { newId } from '../ids.js';
import type { InputSchemas } from '../schemas/input-schemas.js';
import { nowIso } from '../schemas/timestamp.js';
import { refreshEpisodeDoc } from '../search/episode-docs.js';
import type { Step } from '../types.js';

type ParsedStep = z.output<InputSchemas['step']>;

/**
 * Appends steps to an active episode inside the caller's write transaction. Numbers continue
 * from the episode's highest; the transaction is what makes that safe under concurrent callers.
 * A step whose client-chosen id is already stored for this episode is a retry: it is returned
 * as stored and not inserted again. Ids repeated within `steps` were refused by the schema.
 * The episode's document is re-indexed with them when `refreshDoc` (see `docRefreshDue`).
 * `stepsPath` is where `steps` sit in the caller's input, for the path of a refused id.
 */
export async function insertSteps(
  tx: Transaction,
  episodeId: string,
  steps: ParsedStep[],
  refreshDoc: boolean,
  stepsPath = 'steps',
): Promise<Step[]> {
  const givenIds = steps.flatMap((step) => (step.id === undefined ? [] : [step.id]));
  const stored = new Map<string, Step>();
  if (givenIds.length > 0) {
    const rows = await tx.execute({
      sql: `SELECT ${stepColumns} FROM steps WHERE id IN (${givenIds.map(() => '?').join(', ')})`,
      args: givenIds,
    });
    for (const row of rows.rows) {
      const step = toStep(row);
      if (step.episodeId !== episodeId) {
        // The same answer whatever domain holds it: a caller learns only that the id is in use.
        const path = `${stepsPath}.${steps.findIndex((given) => given.id === step.id)}.id`;
        const message = 'already belongs to another episode: give the step another id';
        throw new EpisodicError('CONFLICT', `Step id ${step.id} already belongs to another episode.`, {
          issues: [{ path, message }],
        });
      }
      stored.set(step.id, step);
    }
  }
  const last = await tx.execute({
    sql: 'SELECT COALESCE(MAX(step_number), 0) AS n FROM steps WHERE episode_id = ?',
    args: [episodeId],
  });
  let stepNumber = Number(last.rows[0]?.n ?? 0);
  const now = nowIso();
  const result: Step[] = [];
  const inserts = [];
  for (const input of steps) {
    const existing = input.id === undefined ? undefined : stored.get(input.id);
    if (existing !== undefined) {
      result.push(existing);
      continue;
    }
    stepNumber += 1;
    const step: Step = {
      id: input.id ?? newId(),
      episodeId,
      stepNumber,
      action: input.action,
      result: input.result ?? null,
      durationMs: input.durationMs ?? null,
      success: input.success ?? null,
      timestamp: input.timestamp ?? now,
      metadata: input.metadata ?? null,
    };
    result.push(step);
    inserts.push({
      sql: `INSERT INTO steps (${stepColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        step.id,
        episodeId,
        step.stepNumber,
        step.action,
        step.result,
        step.durationMs,
        step.success === null ? null : step.success ? 1 : 0,
        step.timestamp,
        step.metadata === null ? null : JSON.stringify(step.metadata),
      ],
    });
  }
  if (inserts.length > 0) await tx.batch(refreshDoc ? [...inserts, refreshEpisodeDoc(episodeId)] : inserts);
  return result;
}
