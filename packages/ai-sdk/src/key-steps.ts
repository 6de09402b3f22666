import type { Recall, StoredStep } from './memory-port.js';

/**
 * The steps of a past episode worth showing the model, at most `max`, in the episode's order.
 * First each step `named` (the one that matched the task) and each failed step, each with the
 * step after it (what was done about it); then the last step read (how the episode ended, unless
 * it is longer than the page read); then the others from the start. `steps` is what was read of
 * the episode, in order; it may have gaps (the first page and the named steps past it), so "the
 * step after" must be numbered next.
 *
 * MCP's `memory_recall` picks key steps the same way (`apps/mcp`); this package keeps its own
 * copy because it depends on no Episodic package. It adds the last step: with the few lines a
 * prompt budget allows, how the episode ended is worth more than its early steps.
 */
export function keySteps(steps: readonly StoredStep[], named: readonly number[], max: number): StoredStep[] {
  const chosen = new Set<number>();
  const withNext = (index: number) => {
    chosen.add(index);
    const step = steps[index];
    if (step !== undefined && steps[index + 1]?.stepNumber === step.stepNumber + 1) chosen.add(index + 1);
  };
  for (const number of named) {
    const index = steps.findIndex((step) => step.stepNumber === number);
    if (index !== -1) withNext(index);
  }
  for (const [index, step] of steps.entries()) if (step.success === false) withNext(index);
  if (steps.length > 0) chosen.add(steps.length - 1);
  for (const index of steps.keys()) chosen.add(index);
  return [...chosen]
    .slice(0, max)
    .sort((a, b) => a - b)
    .flatMap((index) => steps[index] ?? []);
}

/** The steps a past episode's `why` names: the best text match's and the matched error's. */
export function namedSteps(why: Recall['episodes'][number]['why']): number[] {
  return [why.text?.stepNumber, why.vector?.stepNumber].filter((number) => typeof number === 'number');
}
