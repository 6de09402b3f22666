import { type Memory, type MemoryConfig, openMemory } from '@episodic/core';
import { createClient } from '@libsql/client';
import type { CodingAgentRun } from './coding-agent.js';
import type { LongMemEvalSession } from './longmemeval.js';

/** A store built from a data set, with the map from episode ids back to the data set's ids. */
export interface BuiltStore {
  memory: Memory;
  /** Episode id → session id or instance id. */
  sourceOf: Map<string, string>;
}

type StoreConfig = Omit<MemoryConfig, 'url'>;

/** The engine stamps recording time; the data's own dates go into `created_at` with a plain UPDATE. */
async function backdate(url: string, dates: readonly [string, string][]): Promise<void> {
  const raw = createClient({ url });
  try {
    await raw.batch(
      dates.flatMap(([id, date]) => [
        { sql: 'UPDATE episodes SET created_at = ?, completed_at = ? WHERE id = ?', args: [date, date, id] },
        { sql: 'UPDATE steps SET timestamp = ? WHERE episode_id = ?', args: [date, id] },
      ]),
      'write',
    );
  } finally {
    raw.close();
  }
}

/** The whole text of a session, as a user of plain BM25 would index it. */
export function sessionText(session: LongMemEvalSession): string {
  return session.turns.map((turn) => turn.content).join('\n');
}

/**
 * One episode per session (task type `conversation`, its date as context), its turns as steps
 * (action = role, result = text), recorded through the engine and completed, which embeds it.
 */
export async function buildLongMemEvalStore(
  url: string,
  sessions: readonly LongMemEvalSession[],
  config: StoreConfig,
): Promise<BuiltStore> {
  const memory = await openMemory({ ...config, url, taskTypes: ['conversation'] });
  const sourceOf = new Map<string, string>();
  const dates: [string, string][] = [];
  for (const session of sessions) {
    const episode = await memory.episodes.start({
      taskType: 'conversation',
      domain: 'assistant',
      context: `Chat session on ${session.dateText}`,
    });
    const steps = session.turns
      .filter((turn) => turn.content.length > 0)
      .map((turn) => ({
        action: turn.role,
        result: turn.content.slice(0, memory.config.limits.maxResultChars),
      }));
    if (steps.length > 0) await memory.episodes.logSteps(episode.id, steps);
    await memory.episodes.complete(episode.id, { status: 'completed' });
    sourceOf.set(episode.id, session.id);
    dates.push([episode.id, session.date]);
  }
  // Embedding runs in the background since the learning queue: every vector before the first query.
  await memory.learning.flush();
  await backdate(url, dates);
  return { memory, sourceOf };
}

/** Every run's whole text: the issue, then each action and its observation. */
export function runText(run: CodingAgentRun): string {
  return [run.issueText, ...run.steps.flatMap((step) => [step.action, step.result])].join('\n');
}

/**
 * One episode per run (task type `debugging`, domain `swe-bench`, the issue text as context),
 * its actions as steps, completed as `completed` when SWE-bench resolved it and `failed` otherwise.
 */
export async function buildCodingStore(
  url: string,
  runs: readonly CodingAgentRun[],
  config: StoreConfig,
): Promise<BuiltStore> {
  const memory = await openMemory({ ...config, url });
  const { maxContextChars, maxActionChars, maxResultChars } = memory.config.limits;
  const sourceOf = new Map<string, string>();
  for (const run of runs) {
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'swe-bench',
      context: run.issueText.slice(0, maxContextChars),
    });
    await memory.episodes.logSteps(
      episode.id,
      run.steps.map((step) => ({
        action: step.action.slice(0, maxActionChars),
        result: step.result.slice(0, maxResultChars),
        success: step.success,
      })),
    );
    await memory.episodes.complete(episode.id, { status: run.resolved ? 'completed' : 'failed' });
    sourceOf.set(episode.id, run.instanceId);
  }
  await memory.learning.flush();
  return { memory, sourceOf };
}
