import type { Memory, StepInput } from '@episodic/core';
import type { ErrorResolutionData } from '@episodic/miner-error-resolution';
import type { ToolSequenceData } from '@episodic/miner-tool-sequence';
import { toolName } from '@episodic/plugin';

/** `a×2 b` → `a a b`; `a×3+` is at least three, so three. */
export function expandTokens(tokens: readonly string[]): string[] {
  return tokens.flatMap((token) => {
    const match = /^(.*)×(\d+)\+?$/u.exec(token);
    return match === null ? [token] : Array<string>(Number(match[2])).fill(match[1] as string);
  });
}

/** Whether `needle` occurs in `haystack` in order, gaps allowed. */
export function isSubsequence(needle: readonly string[], haystack: readonly string[]): boolean {
  let at = 0;
  for (const item of haystack) if (item === needle[at]) at += 1;
  return at === needle.length;
}

/** One task's expected actions, for sequence precision and recall. */
export interface TaskTruth {
  taskType: string;
  /** The ground-truth tool calls, in order. */
  actions: string[];
  /** The first action that writes, the end of the look-up→write core; `null` for a read-only task. */
  firstWrite: string | null;
}

/**
 * A reported sequence matches a ground truth when it is an ordered subsequence of it that reaches
 * its first write (the look-up→write core), or, for a read-only truth, any ordered subsequence.
 */
function matchesTruth(actions: readonly string[], truth: TaskTruth): boolean {
  if (!isSubsequence(actions, truth.actions)) return false;
  return truth.firstWrite === null || actions.includes(truth.firstWrite);
}

export interface SequenceScores {
  precision: number;
  recall: number;
  f1: number;
  /** Sequences reported, and how many were a subsequence of a truth of their task type. */
  judged: number;
  correct: number;
  /** Distinct ground truths of two or more actions, and how many a reported sequence matched. */
  truths: number;
  recalled: number;
  perType: { taskType: string; correct: number; judged: number; recalled: number; truths: number }[];
}

/**
 * Precision: the share of the tool sequences `relevantPatterns` reports per task type (top `limit`)
 * that are an ordered subsequence of a ground truth of that type. Recall: the share of ground truths
 * (distinct per task, two actions or more) whose look-up→write core a reported sequence matches.
 */
export async function scoreSequences(
  memory: Memory,
  domain: string,
  truths: readonly TaskTruth[],
  query: { limit: number; minLift?: number; minSupport?: number },
): Promise<SequenceScores> {
  const taskTypes = [...new Set(truths.map((truth) => truth.taskType))].sort();
  const scores: SequenceScores = {
    precision: 0,
    recall: 0,
    f1: 0,
    judged: 0,
    correct: 0,
    truths: 0,
    recalled: 0,
    perType: [],
  };
  for (const taskType of taskTypes) {
    const ofType = truths.filter((truth) => truth.taskType === taskType);
    const distinct = [...new Map(ofType.map((truth) => [truth.actions.join(' '), truth])).values()].filter(
      (truth) => truth.actions.length >= 2,
    );
    const reported = (
      await memory.patterns.relevant({ domain, taskType, types: ['tool_sequence'], ...query })
    ).map((hit) => expandTokens((hit.pattern.patternData as ToolSequenceData).actions));
    const correct = reported.filter((actions) =>
      ofType.some((truth) => isSubsequence(actions, truth.actions)),
    );
    const recalled = distinct.filter((truth) => reported.some((actions) => matchesTruth(actions, truth)));
    scores.perType.push({
      taskType,
      correct: correct.length,
      judged: reported.length,
      recalled: recalled.length,
      truths: distinct.length,
    });
    scores.judged += reported.length;
    scores.correct += correct.length;
    scores.truths += distinct.length;
    scores.recalled += recalled.length;
  }
  scores.precision = scores.judged === 0 ? 0 : scores.correct / scores.judged;
  scores.recall = scores.truths === 0 ? 0 : scores.recalled / scores.truths;
  const sum = scores.precision + scores.recall;
  scores.f1 = sum === 0 ? 0 : (2 * scores.precision * scores.recall) / sum;
  return scores;
}

/** One failed step and what the run did next, up to the step that resolved it. */
export interface ErrorCase {
  error: string;
  /** The failed step's tool. */
  tool: string;
  /** The tools from the step after the failure to the resolving one, inclusive. */
  next: string[];
}

/**
 * Every failed step of a run that a later step resolved: the same tool succeeding later (within
 * `lookahead` steps), else the first later step that succeeded. A failure nothing resolved is no case.
 */
export function errorCases(steps: readonly StepInput[], lookahead = 20): ErrorCase[] {
  const cases: ErrorCase[] = [];
  steps.forEach((step, i) => {
    if (step.success !== false) return;
    const tool = toolName(step.action);
    const window = steps.slice(i + 1, i + 1 + lookahead);
    let end = window.findIndex((later) => later.success === true && toolName(later.action) === tool);
    if (end === -1) end = window.findIndex((later) => later.success === true);
    if (end === -1) return;
    cases.push({
      error: step.result ?? '',
      tool,
      next: window.slice(0, end + 1).map((later) => toolName(later.action)),
    });
  });
  return cases;
}

/**
 * Whether `relevantPatterns({ text: error })` ranks, in its top `k`, a resolution of the failed
 * tool that is what the run did next: it ends with the resolving tool, and its actions appear in
 * that order among what the run did.
 */
export async function isErrorHit(
  memory: Memory,
  domain: string,
  errorCase: ErrorCase,
  k: number,
  query: { minTextMatch?: number } = {},
) {
  const hits = await memory.patterns.relevant({ text: errorCase.error, domain, limit: k, ...query });
  return hits.some(({ pattern }) => {
    if (pattern.patternType !== 'error_resolution') return false;
    const data = pattern.patternData as ErrorResolutionData;
    return (
      data.action === errorCase.tool &&
      data.resolution.at(-1) === errorCase.next.at(-1) &&
      isSubsequence(data.resolution, errorCase.next)
    );
  });
}
