import {
  type ActionNormalizer,
  defineMiner,
  isActionNormalizer,
  type PatternCandidate,
  type PatternMinerV1,
  runLengths,
  toolName,
} from '@episodic/plugin';
import { z } from 'zod';
import { windowedSubsequences } from './subsequences.js';

export const toolSequenceOptionsSchema = z
  .strictObject({
    /** Shortest sequence mined. */
    minLength: z.number().int().min(2).max(8).default(2),
    /**
     * Longest sequence mined. Pairs by default: on the τ-bench dev split, pairs within a window of
     * 4 recalled one more ground truth than triples within 3, for as many sequences per step (see
     * README); a longer recipe shows as its overlapping pairs.
     */
    maxLength: z.number().int().min(2).max(8).default(2),
    /**
     * Most steps a sequence may span, first action to last: with 4, `a x y b` yields `a → b` but
     * `a x y z b` does not, so a look-up and its write stay a pair across two steps of thinking or
     * arithmetic between them. Equal to `maxLength`, only contiguous n-grams are mined. Each step
     * more multiplies the sequences (and the rows each episode updates).
     */
    window: z.number().int().min(2).max(16).default(4),
    /**
     * A run of the same action is one element with its length (`Search×2`), up to this many
     * repeats; a longer run counts as this many (`Search×2+` at 2, the default: once, or more than
     * once). `1` folds every run into one element. Chosen on the τ-bench dev split (see README).
     */
    maxRepeat: z.number().int().min(1).max(20).default(2),
    /**
     * A run element is also read as the bare action, a run of any length: `Search×2+ → Finish`
     * is mined, and so is `Search → Finish`, which then counts every run that searched before
     * finishing, however many times. Off, `Search → Finish` counts only the runs that searched
     * exactly once, and one recipe splits into as many patterns as its run lengths.
     */
    generalizeRuns: z.boolean().default(true),
    /**
     * Leave out steps that failed (`success: false`). Off by default: a failed final answer is
     * part of what the run did, and leaving it out makes every run look like a success.
     */
    skipFailedSteps: z.boolean().default(false),
    /** Only the first this many steps of an episode are looked at: mining work stays bounded. */
    maxSteps: z.number().int().min(2).max(100_000).default(200),
    /** Most distinct sequences one episode contributes. */
    maxCandidates: z.number().int().min(1).max(10_000).default(500),
    /**
     * Share of a task type's successful episodes that must show a sequence before
     * `relevantPatterns` and `retrieve` report it (see `PatternMinerV1.minSuccessShare`), on top of
     * its lift floor: by default half, a recipe most good runs share (chosen on the τ-bench dev
     * split, see README). `0` leaves the choice to the lift alone.
     */
    minSuccessShare: z.number().min(0).max(1).default(0.5),
    /** Maps an action to what is compared; default: the tool name (`read_file src/a.ts` → `read_file`). */
    normalizeAction: z
      .custom<ActionNormalizer>(isActionNormalizer, 'must be a function (action: string) => string')
      .default(() => toolName),
  })
  .refine((options) => options.minLength <= options.maxLength, {
    path: ['maxLength'],
    message: 'must be at least minLength',
  })
  .refine((options) => options.maxLength <= options.window, {
    path: ['window'],
    message: 'must be at least maxLength',
  });

export type ToolSequenceOptions = z.input<typeof toolSequenceOptionsSchema>;

/** `pattern_data` of a `tool_sequence` pattern: the actions, in order, a repeated one as `Search×2`. */
export const toolSequenceDataSchema = z.strictObject({
  actions: z.array(z.string().min(1).max(200)).min(2).max(8),
});
export type ToolSequenceData = z.infer<typeof toolSequenceDataSchema>;

/** `Search` ran `count` times in a row → `Search`, `Search×2`, … `Search×3+` at `maxRepeat` 3. */
export function repeatedAction(action: string, count: number, maxRepeat: number): string {
  if (count <= 1 || maxRepeat === 1) return action;
  return count >= maxRepeat ? `${action}×${maxRepeat}+` : `${action}×${count}`;
}

/** `Search×2+` → `Search`: the action a run element repeats (the inverse of {@link repeatedAction}). */
export function bareAction(element: string): string {
  return element.replace(/×\d+\+?$/, '');
}

/**
 * The elements sequences are made of: each run of one action, with its length up to `maxRepeat`
 * (`Search×2+`), and with `generalizeRuns` also as the bare action (`['Search×2+', 'Search']`).
 */
export function runElements(
  actions: readonly string[],
  options: { maxRepeat: number; generalizeRuns: boolean },
): string[][] {
  return runLengths(actions).map((run) => {
    const counted = repeatedAction(run.action, run.count, options.maxRepeat);
    return options.generalizeRuns && counted !== run.action ? [counted, run.action] : [counted];
  });
}

/**
 * Mines frequent action sequences, per task type and domain: runs of the same action become one
 * element with their length (`Search×2`), then every distinct ordered pair of elements at most
 * 3 apart (window 4), adjacent or with a gap; `maxLength` and `window` allow longer ones. Each finished
 * episode that shows a sequence, failed steps included, is one more unit of support; it is
 * evidence of success when the episode succeeded. `relevantPatterns` ranks sequences by how
 * surely they beat the task type's base rate (the Wilson lower bound of their lift).
 *
 * @example
 * const memory = await openMemory({ miners: [createToolSequenceMiner({ maxLength: 4 })] });
 */
export const createToolSequenceMiner = defineMiner({
  name: 'tool-sequence miner',
  options: toolSequenceOptionsSchema,
  create(settings): PatternMinerV1<ToolSequenceData> {
    return {
      specificationVersion: 'v1',
      patternType: 'tool_sequence',
      dataSchema: toolSequenceDataSchema,
      history: 'none',
      describe: (data) => data.actions.join(' → '),
      // `look-up → write` and `look-up×2+ → write` are one recipe: `relevantPatterns` places the
      // best-supported of them by its rank and the others after every other recipe (see README).
      variantKey: (data) => JSON.stringify(data.actions.map(bareAction)),
      ...(settings.minSuccessShare > 0 ? { minSuccessShare: settings.minSuccessShare } : {}),
      mine({ episode, succeeded, signal }) {
        signal?.throwIfAborted();
        const actions: string[] = [];
        for (const step of episode.steps.slice(0, settings.maxSteps)) {
          if (settings.skipFailedSteps && step.success === false) continue;
          // Room for the `×3+` a repeat adds, within the 200 characters an element may hold.
          const action = settings.normalizeAction(step.action).slice(0, 195);
          if (action !== '') actions.push(action);
        }
        const found = windowedSubsequences(runElements(actions, settings), {
          minLength: settings.minLength,
          maxLength: settings.maxLength,
          window: settings.window,
          maxResults: settings.maxCandidates,
        });
        return found.map(
          (subsequence): PatternCandidate<ToolSequenceData> => ({
            data: { actions: subsequence.actions },
            success: succeeded,
            perTaskType: true,
            // Averaged over the supporting episodes: the share in which the actions were adjacent.
            measurements: { contiguous: subsequence.contiguous ? 1 : 0 },
          }),
        );
      },
    };
  },
});
