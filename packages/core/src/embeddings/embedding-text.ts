import type { EpisodeWithAllSteps, Step } from '../types.js';

/**
 * Longest text embedded for one episode. About 4,000 tokens of English: inside every common
 * embedding model's context (8,192 for OpenAI's), and long enough to hold a typical episode whole.
 */
export const episodeTextChars = 16_000;

/** Longest text embedded for one failed step: an error message, not a log file. */
export const stepErrorTextChars = 2_000;

function clip(text: string, chars: number): string {
  if (text.length <= chars) return text;
  return chars <= 0 ? '' : `${text.slice(0, chars - 1)}…`;
}

function outcomeLine(episode: EpisodeWithAllSteps): string {
  const rate = episode.successRate === null ? '' : `, success rate ${episode.successRate.toFixed(2)}`;
  return `outcome: ${episode.status}${rate}`;
}

/**
 * A step as one line, at most `maxChars` long: a step's result can be 64 K characters, and an
 * episode thousands of steps, so a line longer than anything it can be clipped to is not built.
 */
function stepLine(step: Step, maxChars: number): string {
  const mark = step.success === false ? ' (failed)' : '';
  const line =
    step.result === null
      ? `${step.action}${mark}`
      : `${step.action}${mark}: ${step.result.slice(0, maxChars)}`;
  return line.slice(0, maxChars);
}

/**
 * Shares `budget` characters among `lengths` so that short items keep all of theirs and long
 * ones split what is left equally (water-filling): every step is represented, and one huge
 * step result cannot crowd the others out.
 */
export function fairShares(lengths: readonly number[], budget: number): number[] {
  const shares = lengths.map(() => 0);
  let open = lengths.map((_, index) => index);
  let left = budget;
  while (open.length > 0 && left > 0) {
    const share = Math.floor(left / open.length);
    const small = open.filter((index) => (lengths[index] as number) <= share);
    if (small.length === 0) {
      for (const index of open) shares[index] = share;
      break;
    }
    for (const index of small) {
      shares[index] = lengths[index] as number;
      left -= lengths[index] as number;
    }
    open = open.filter((index) => (lengths[index] as number) > share);
  }
  return shares;
}

/**
 * The text that stands for a finished episode in vector search: what the task was (type,
 * domain, context), how it ended, and every step's action and result, each clipped to a fair
 * share of {@link episodeTextChars}.
 */
export function episodeEmbeddingText(episode: EpisodeWithAllSteps): string {
  const head = [`${episode.taskType} in ${episode.domain}`, episode.context ?? '', outcomeLine(episode)]
    .filter((line) => line.length > 0)
    .join('\n');
  const clippedHead = clip(head, Math.floor(episodeTextChars / 4));
  // Cut at the whole budget: every share is below it, so the lines are clipped as if whole.
  const lines = episode.steps.map((step) => stepLine(step, episodeTextChars));
  // One character per line for the newline that joins it.
  const shares = fairShares(
    lines.map((line) => line.length),
    episodeTextChars - clippedHead.length - lines.length,
  );
  return [
    clippedHead,
    ...lines.map((line, index) => clip(line, shares[index] as number)).filter((line) => line.length > 0),
  ].join('\n');
}

/** The text that stands for one failed step: its action and error, so a repeat of the error finds it. */
export function stepErrorEmbeddingText(step: Step): string {
  return clip(stepLine(step, stepErrorTextChars + 1), stepErrorTextChars);
}

/** The steps that get their own vector: those that failed and say something about why. */
export function failedSteps(episode: EpisodeWithAllSteps): Step[] {
  return episode.steps.filter((step) => step.success === false);
}
