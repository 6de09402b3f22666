import { type Memory, type MemoryConfig, openMemory } from '@episodic/core';
import type { CodingAgentRun } from './coding-agent.js';
import type { LongMemEvalSession } from './longmemeval.js';

/** A store built from a data set, with the map from episode ids back to the data set's ids. */
export interface BuiltStore {
  memory: Memory;
  /** Episode id → session id or instance id. */
  sourceOf: Map<string, string>;
}

type StoreConfig = Omit<MemoryConfig, 'url'>;

/** The whole text of a session, as a user of plain BM25 would index it. */
export function sessionText(session: LongMemEvalSession): string {
  return session.turns.map((turn) => turn.content).join('\n');
}

/**
 * One episode per session (task type `conversation`, its date as context), its turns as steps
 * (action = role, result = text), recorded through the engine and completed, which embeds it. The
 * session's own date is the episode's start and end and every turn's time (`createdAt`,
 * `completedAt`, step `timestamp`): how a user imports a history recorded elsewhere.
 */
export async function buildLongMemEvalStore(
  url: string,
  sessions: readonly LongMemEvalSession[],
  config: StoreConfig,
): Promise<BuiltStore> {
  const memory = await openMemory({ ...config, url, taskTypes: ['conversation'] });
  const sourceOf = new Map<string, string>();
  for (const session of sessions) {
    const episode = await memory.episodes.start({
      taskType: 'conversation',
      domain: 'assistant',
      context: `Chat session on ${session.dateText}`,
      createdAt: session.date,
    });
    const steps = session.turns
      .filter((turn) => turn.content.length > 0)
      .map((turn) => ({
        action: turn.role,
        result: turn.content.slice(0, memory.config.limits.maxResultChars),
        timestamp: session.date,
      }));
    if (steps.length > 0) await memory.episodes.logSteps(episode.id, steps);
    await memory.episodes.complete(episode.id, { status: 'completed', completedAt: session.date });
    sourceOf.set(episode.id, session.id);
  }
  // Embedding runs in the background since the learning queue: every vector before the first query.
  await memory.learning.flush();
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
