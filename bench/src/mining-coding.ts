import { join } from 'node:path';
import { type Memory, openMemory, type StepInput } from '@episodic/core';
import {
  runElements,
  type ToolSequenceData,
  toolSequenceOptionsSchema,
  windowedSubsequences,
} from '@episodic/miner-tool-sequence';
import { toolName } from '@episodic/plugin';
import type { BenchmarkContext } from './benchmark.js';
import { defaultMiners, recordRuns } from './mining-miners.js';
import { errorCases, isErrorHit } from './mining-quality.js';
import { type CodingAgentRun, codingAgentSplit } from './workloads/coding-agent.js';

/** What the coding-agent figures need of a run. */
export interface CodingRun {
  /** The repository (`django/django`): the run's domain, what an agent knows about its task. */
  repository: string;
  issueText: string;
  resolved: boolean;
  steps: StepInput[];
}

/**
 * A loaded run as the figures read it: a format error is the action `format_error` (its raw text
 * names no tool), results bounded by the store's limit.
 */
export function codingRunOf(
  run: CodingAgentRun,
  limits: { maxActionChars: number; maxResultChars: number },
): CodingRun {
  return {
    repository: run.repo,
    issueText: run.issueText,
    resolved: run.resolved,
    steps: run.steps.map((step) => ({
      action: step.kind === 'format_error' ? 'format_error' : step.action.slice(0, limits.maxActionChars),
      result: step.result.slice(0, limits.maxResultChars),
      success: step.success,
    })),
  };
}

const taskType = 'bug_fix';
const sequenceDefaults = toolSequenceOptionsSchema.parse({});
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
  const elements = runElements(
    steps.map((step) => toolName(step.action)),
    sequenceDefaults,
  );
  const { minLength, maxLength, window, maxCandidates } = sequenceDefaults;
  return new Set(
    windowedSubsequences(elements, { minLength, maxLength, window, maxResults: maxCandidates }).map((found) =>
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
    const hits = await memory.patterns.relevant({
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

export interface CodingFigures {
  errorHitAt3: number;
  errorCases: number;
  top5Lift: number;
  liftPairs: number;
  distinctSequences: number;
}

async function figuresFor(
  context: BenchmarkContext,
  name: string,
  stored: readonly CodingRun[],
  heldOut: readonly CodingRun[],
): Promise<CodingFigures> {
  const memory = await openMemory({
    url: `file:${join(context.tempDir, `coding-${name}.db`)}`,
    taskTypes: [taskType],
    miners: defaultMiners(),
  });
  try {
    context.progress(`mining: coding-agent ${name}, recording ${stored.length} runs`);
    await recordCodingRuns(memory, stored);
    const errors = await codingErrorHits(memory, heldOut, 3);
    const lift = await topSequenceLift(memory, heldOut);
    return {
      errorHitAt3: errors.hitRate,
      errorCases: errors.cases,
      top5Lift: lift.lift,
      liftPairs: lift.pairs,
      distinctSequences: lift.distinct,
    };
  } finally {
    await memory.close();
  }
}

/**
 * Test: a store of the dev runs, asked about every test run (its errors and its issue). Dev: the
 * dev runs in two halves, each asked of a store of the other; the two halves' figures averaged.
 */
export async function codingQuality(context: BenchmarkContext, runs: readonly CodingAgentRun[]) {
  const probe = await openMemory({ url: ':memory:', cache: false });
  const limits = probe.config.limits;
  await probe.close();
  const dev = runs
    .filter((run) => codingAgentSplit(run.instanceId) === 'dev')
    .map((run) => codingRunOf(run, limits));
  const test = runs
    .filter((run) => codingAgentSplit(run.instanceId) === 'test')
    .map((run) => codingRunOf(run, limits));
  const even = dev.filter((_, index) => index % 2 === 0);
  const odd = dev.filter((_, index) => index % 2 === 1);
  const halves = [
    await figuresFor(context, 'dev-a', even, odd),
    await figuresFor(context, 'dev-b', odd, even),
  ];
  const mean = (pick: (figures: CodingFigures) => number) => (pick(halves[0]!) + pick(halves[1]!)) / 2;
  return {
    dev: { errorHitAt3: mean((f) => f.errorHitAt3), top5Lift: mean((f) => f.top5Lift), runs: dev.length },
    test: { ...(await figuresFor(context, 'test', dev, test)), runs: test.length },
  };
}
