import { withinTime } from './bounded-wait.js';
import { namedSteps } from './key-steps.js';
import type { EpisodicMemory, MemoryCallOptions, Recall, StoredStep } from './memory-port.js';

/** A past episode as the memory message shows it: with the steps read of it, in order. */
export type PastEpisode = Recall['episodes'][number] & { steps: readonly StoredStep[] };

/** What the model is shown: the patterns and past episodes relevant to the task, best first. */
export interface PastExperience {
  patterns: Recall['patterns'];
  episodes: PastEpisode[];
}

export interface PastQuery {
  /** The look-up text (`search.retrieve`'s `text`). */
  text: string;
  domain: string;
  taskType: string;
  /** How many episodes and patterns to ask for. */
  episodes: number;
  patterns: number;
  /** Longest the whole look-up may take, steps included. */
  timeoutMs: number;
  /** The caller's abort signal: the look-up is for a run that no longer needs it once it aborts. */
  signal?: AbortSignal | undefined;
}

/**
 * The first steps of a past episode, read in one page: enough for all but long episodes, and
 * a page of long tool results stays far under a megabyte.
 */
const firstSteps = 30;

/**
 * An episode's first steps and, read at the same time, each step its `why` names with the one
 * after it (a long episode's match may lie past the first page), in order.
 */
async function stepsOf(
  memory: EpisodicMemory,
  entry: Recall['episodes'][number],
  call: MemoryCallOptions,
): Promise<StoredStep[]> {
  const { id } = entry.episode;
  const pages = await Promise.all([
    memory.episodes.steps(id, { limit: firstSteps }, call),
    ...namedSteps(entry.why).map((fromStep) => memory.episodes.steps(id, { fromStep, limit: 2 }, call)),
  ]);
  const byNumber = new Map<number, StoredStep>();
  for (const step of pages.flatMap((page) => page?.items ?? [])) byNumber.set(step.stepNumber, step);
  return [...byNumber.values()].sort((a, b) => a.stepNumber - b.stepNumber);
}

/**
 * The past experience relevant to a task, each episode with steps to pick its key ones from,
 * within `timeoutMs` in all. `null` when the look-up itself failed or did not answer in time;
 * when only the steps could not be read, the episodes come without them. Either is reported,
 * unless `query.signal` aborted: the run was stopped, which is no failure of the store.
 */
export async function lookUpPast(
  memory: EpisodicMemory,
  query: PastQuery,
  report: (error: unknown) => void,
): Promise<PastExperience | null> {
  const { signal } = query;
  if (signal?.aborted) return null;
  const deadline = Date.now() + query.timeoutMs;
  let recall: Recall;
  try {
    const input = {
      text: query.text,
      domain: query.domain,
      taskType: query.taskType,
      limit: query.episodes,
      patterns: query.patterns,
    };
    // The signal goes to the store (a server lets go of the request) and bounds the wait here too
    // (the embedded engine runs a call it started to its end).
    recall = await withinTime(memory.search.retrieve(input, { signal }), query.timeoutMs, { signal });
  } catch (error) {
    if (!signal?.aborted) report(error);
    return null;
  }
  let steps: StoredStep[][] = [];
  try {
    const reads = Promise.all(recall.episodes.map((entry) => stepsOf(memory, entry, { signal })));
    steps = await withinTime(reads, Math.max(0, deadline - Date.now()), { signal });
  } catch (error) {
    if (signal?.aborted) return null;
    report(error);
  }
  return {
    patterns: recall.patterns,
    episodes: recall.episodes.map((entry, index) => ({ ...entry, steps: steps[index] ?? [] })),
  };
}
