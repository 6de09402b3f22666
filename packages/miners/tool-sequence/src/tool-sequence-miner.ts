import {
  actionNormalizerSchema,
  collapseRepeats,
  type PatternCandidate,
  type PatternMinerV1,
  parsePluginOptions,
} from '@episodic/core';
import { z } from 'zod';
import { windowedSubsequences } from './subsequences.js';

export const toolSequenceOptionsSchema = z
  .strictObject({
    /** Shortest sequence mined. */
    minLength: z.number().int().min(2).max(8).default(2),
    /** Longest sequence mined. */
    maxLength: z.number().int().min(2).max(8).default(3),
    /**
     * Most steps a sequence may span, first action to last: with 3, `a x b` yields `a → b` but
     * `a x y b` does not. Equal to `maxLength`, only contiguous n-grams are mined. Each step more
     * multiplies the sequences (and the rows each episode updates).
     */
    window: z.number().int().min(2).max(16).default(3),
    /** Treat a run of the same action (`get, get, get`) as one step. */
    collapseRepeats: z.boolean().default(true),
    /**
     * Leave out steps that failed (`success: false`): a sequence is a recipe of what was done,
     * and a failed call is what the error-resolution miner looks at.
     */
    skipFailedSteps: z.boolean().default(true),
    /** Only the first this many steps of an episode are looked at: mining work stays bounded. */
    maxSteps: z.number().int().min(2).max(100_000).default(200),
    /** Most distinct sequences one episode contributes. */
    maxCandidates: z.number().int().min(1).max(10_000).default(500),
    /**
     * Share of a task type's successful episodes that must show a sequence before
     * `relevantPatterns` and `retrieve` report it (see `PatternMinerV1.minSuccessShare`): by
     * default a sequence most successful runs share. `0` reports every sequence seen in
     * `minSupport` episodes, ranked by success rate alone.
     */
    minSuccessShare: z.number().min(0).max(1).default(0.5),
    /** Maps an action to what is compared; default: the tool name (`read_file src/a.ts` → `read_file`). */
    normalizeAction: actionNormalizerSchema,
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

/** `pattern_data` of a `tool_sequence` pattern: the actions, in order. */
export const toolSequenceDataSchema = z.strictObject({
  actions: z.array(z.string().min(1).max(200)).min(2).max(8),
});
export type ToolSequenceData = z.infer<typeof toolSequenceDataSchema>;

/**
 * Mines frequent action sequences, per task type and domain: every distinct ordered
 * subsequence of 2..3 actions within a window of 3 steps (contiguous n-grams and sequences with
 * gaps). Each finished episode that shows a sequence is one more unit of support; it is evidence
 * of success when the episode succeeded. `relevantPatterns` reports a sequence once at least
 * `minSuccessShare` of the task type's successful episodes show it (a recipe most good runs
 * share, not what two lucky runs did), ranks those by the Wilson lower bound of their success
 * rate, and gives their lift over the task type's base rate.
 *
 * @example
 * const memory = await openMemory({ miners: [createToolSequenceMiner({ maxLength: 4 })] });
 */
export function createToolSequenceMiner(options: ToolSequenceOptions = {}): PatternMinerV1<ToolSequenceData> {
  const settings = parsePluginOptions(toolSequenceOptionsSchema, options, 'tool-sequence miner');
  return {
    specificationVersion: 'v1',
    patternType: 'tool_sequence',
    dataSchema: toolSequenceDataSchema,
    describe: (data) => data.actions.join(' → '),
    ...(settings.minSuccessShare > 0 ? { minSuccessShare: settings.minSuccessShare } : {}),
    mine({ episode, succeeded, signal }) {
      signal?.throwIfAborted();
      const actions: string[] = [];
      for (const step of episode.steps.slice(0, settings.maxSteps)) {
        if (settings.skipFailedSteps && step.success === false) continue;
        const action = settings.normalizeAction(step.action).slice(0, 200);
        if (action !== '') actions.push(action);
      }
      const sequence = settings.collapseRepeats ? collapseRepeats(actions) : actions;
      const found = windowedSubsequences(sequence, {
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
}
