import { type Memory, runLengths, type StepInput, toolName } from '@episodic/core';
import {
  repeatedAction,
  type ToolSequenceData,
  toolSequenceOptionsSchema,
  windowedSubsequences,
} from '@episodic/miner-tool-sequence';
import { recordRuns } from './mining-miners.js';
import { errorCases, isErrorHit } from './mining-quality.js';

/** What the coding-agent figures need of a run (the loader's runs have it). */
export interface CodingRun {
  /** The repository (`django/django`): the run's domain, what an agent knows about its task. */
  repository: string;
  issueText: string;
  resolved: boolean;
  steps: StepInput[];
}

const taskType = 'bug_fix';
const defaultMaxRepeat = toolSequenceOptionsSchema.parse({}).maxRepeat;
const repositoryDomain = (run: CodingRun) => run.repository.replaceAll('/', '-').toLowerCase();

/** Records runs as episodes: domain = repository, context = the issue text (as long as the store allows). */
export async function recordCodingRuns(memory: Memory, runs: readonly CodingRun[]) {
  await recordRuns(
    memory,
    runs.map((run) => ({
      domain: repositoryDomain(run),
      taskType,
      context: run.issueText.slice(0, memory.config.limits.maxContextChars),
      steps: run.steps,
      succeeded: run.resolved,
    })),
  );
}

/** The sequences a run shows, as the tool-sequence miner with its defaults mines them. */
export function sequencesOf(steps: readonly StepInput[]): Set<string> {
  const elements = runLengths(steps.map((step) => toolName(step.action))).map((run) =>
    repeatedAction(run.action, run.count, defaultMaxRepeat),
  );
  return new Set(
    windowedSubsequences(elements, { minLength: 2, maxLength: 3, window: 3, maxResults: 500 }).map((found) =>
      found.actions.join('\u0000'),
    ),
  );
}

/**
 * The lift over the base rate, on the held-out runs, of the top 5 sequences `relevantPatterns`
 * returns for each held-out issue: for every (issue, sequence) pair, the success rate of the
 * held-out runs that show the sequence over the held-out base rate; their mean.
 */
export async function topSequenceLift(
  memory: Memory,
  heldOut: readonly CodingRun[],
): Promise<{ lift: number; pairs: number; distinct: number }> {
  const shown = heldOut.map((run) => sequencesOf(run.steps));
  const baseRate = heldOut.filter((run) => run.resolved).length / Math.max(1, heldOut.length);
  let sum = 0;
  let pairs = 0;
  const distinct = new Set<string>();
  for (const run of heldOut) {
    const hits = await memory.relevantPatterns({
      text: run.issueText.slice(0, memory.config.limits.maxContextChars),
      domain: repositoryDomain(run),
      taskType,
      types: ['tool_sequence'],
      limit: 5,
    });
    for (const hit of hits) {
      const key = (hit.pattern.patternData as ToolSequenceData).actions.join('\u0000');
      const showing = heldOut.filter((_, index) => shown[index]?.has(key));
      if (showing.length === 0 || baseRate === 0) continue;
      sum += showing.filter((other) => other.resolved).length / showing.length / baseRate;
      pairs += 1;
      distinct.add(key);
    }
  }
  return { lift: pairs === 0 ? 0 : sum / pairs, pairs, distinct: distinct.size };
}

/** Error hit@3 for every resolved failure of the held-out runs, against a store that holds none of them. */
export async function codingErrorHits(memory: Memory, heldOut: readonly CodingRun[], k: number) {
  let cases = 0;
  let hits = 0;
  for (const run of heldOut) {
    for (const errorCase of errorCases(run.steps)) {
      cases += 1;
      if (await isErrorHit(memory, repositoryDomain(run), errorCase, k)) hits += 1;
    }
  }
  return { cases, hits, hitRate: cases === 0 ? 0 : hits / cases };
}
