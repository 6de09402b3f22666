import {
  type ActionNormalizer,
  collapseRepeats,
  defineMiner,
  isActionNormalizer,
  type PatternCandidate,
  type PatternMinerV1,
  type StepView,
  toolName,
} from '@episodic/plugin';
import { z } from 'zod';
import { argumentRelation, argumentSources, searchableResult } from './argument-relation.js';
import { errorSignature } from './error-signature.js';

export const errorResolutionOptionsSchema = z.strictObject({
  /**
   * How many steps after a failure to look for the same action succeeding; when it never does,
   * the first step that succeeded after the failure is what resolved it.
   */
  lookahead: z.number().int().min(1).max(1000).default(20),
  /**
   * Most actions kept between the failure and the step that resolved it (the last ones, nearest
   * the fix). `0` (the default, chosen on the τ-bench dev split, see README): the resolving step
   * alone, so one fix is one pattern however the runs wandered before it.
   */
  maxBetween: z.number().int().min(0).max(16).default(0),
  /** Longest error signature, in characters. */
  maxSignatureChars: z.number().int().min(16).max(1000).default(160),
  /** Most failed steps looked at per episode: mining work stays bounded. */
  maxFailures: z.number().int().min(1).max(10_000).default(50),
  /** Maps an action to what is compared; default: the tool name. */
  normalizeAction: z
    .custom<ActionNormalizer>(isActionNormalizer, 'must be a function (action: string) => string')
    .default(() => toolName),
  /**
   * The error text of a step, or `null` when the step is not a failure. Default: the result of a
   * step logged with `success: false`.
   */
  errorText: z
    .custom<(step: StepView) => string | null>(
      (value) => typeof value === 'function',
      'must be a function (step) => string | null',
    )
    .default(() => (step: StepView) => (step.success === false ? (step.result ?? '') : null)),
});
export type ErrorResolutionOptions = z.input<typeof errorResolutionOptionsSchema>;

/** `pattern_data` of an `error_resolution` pattern. */
export const errorResolutionDataSchema = z.strictObject({
  /** The action that failed (normalised: the tool name by default). */
  action: z.string().min(1).max(200),
  /** The error, normalised by `errorSignature`. */
  signature: z.string().min(1).max(1000),
  /**
   * What was done until it worked: the actions in between, then the step that succeeded (the same
   * action, or another one when the same action never succeeded).
   */
  resolution: z.array(z.string().min(1).max(200)).min(1).max(17),
  /** Where the resolving step's new argument came from, when it came from the error or an earlier result. */
  argumentFrom: z.enum(argumentSources).optional(),
});
export type ErrorResolutionData = z.infer<typeof errorResolutionDataSchema>;

/**
 * Mines how errors were resolved: each failed step's error text, normalised to a signature, is
 * linked to what followed until the same action succeeded (within `lookahead` steps), or, when it
 * never did, until the first step that succeeded: a format error fixed by a valid command is a
 * resolution too. When the resolving step's new argument came from the error (a suggestion it
 * listed, a value it named) or an earlier result, the pattern says so (`argumentFrom`). A failure
 * followed by no success yields nothing.
 * Patterns are domain-wide (an error means the same whatever the task), and their success rate
 * is the share of episodes that went on to succeed after resolving the error this way.
 *
 * @example
 * // "Error: payment amount does not add up, total price is 305, but paid 255", then calculate,
 * // then book_reservation succeeding, gives:
 * // { action: 'book_reservation', signature: 'Error: payment amount does not add up, total price is <n>, but paid <n>',
 * //   resolution: ['calculate', 'book_reservation'] }
 */
export const createErrorResolutionMiner = defineMiner({
  name: 'error-resolution miner',
  options: errorResolutionOptionsSchema,
  create(settings): PatternMinerV1<ErrorResolutionData> {
    return {
      specificationVersion: 'v1',
      patternType: 'error_resolution',
      dataSchema: errorResolutionDataSchema,
      history: 'none',
      // The signature on a line of its own: an error text is matched line by line (`textMatch`).
      describe: (data) =>
        `${data.signature}\n${data.action} failed → ${data.resolution.join(' → ')}${data.argumentFrom === undefined ? '' : ` (argument from ${data.argumentFrom})`}`,
      mine({ episode, succeeded, signal }) {
        signal?.throwIfAborted();
        const { steps } = episode;
        const found = new Map<string, PatternCandidate<ErrorResolutionData>>();
        // Each result is prepared once, however many failures look back at it.
        const prepared = new Map<number, string>();
        const searchable = (index: number) => {
          let text = prepared.get(index);
          if (text === undefined) {
            text = searchableResult(steps[index]?.result ?? null);
            prepared.set(index, text);
          }
          return text;
        };
        let failures = 0;
        for (let i = 0; i < steps.length && failures < settings.maxFailures; i += 1) {
          const failed = steps[i] as StepView;
          const error = settings.errorText(failed);
          if (error === null) continue;
          failures += 1;
          const action = settings.normalizeAction(failed.action).slice(0, 200);
          if (action === '') continue;
          const end = Math.min(steps.length, i + 1 + settings.lookahead);
          const j = resolvingStep(steps, i, end, action, settings.normalizeAction);
          if (j === -1) continue;
          const resolving = steps[j] as StepView;
          // What was done, not what was tried: failed attempts in between are not part of the fix.
          const between = steps
            .slice(i + 1, j)
            .filter((other) => other.success !== false)
            .map((other) => settings.normalizeAction(other.action).slice(0, 200))
            .filter((name) => name !== '');
          const kept = settings.maxBetween === 0 ? [] : collapseRepeats(between).slice(-settings.maxBetween);
          const argumentFrom = argumentRelation(
            error,
            failed,
            resolving,
            [...range(Math.max(0, i - settings.lookahead), i), ...range(i + 1, j)].map(searchable),
          );
          const data: ErrorResolutionData = {
            action,
            signature: errorSignature(error, settings.maxSignatureChars),
            resolution: [...kept, settings.normalizeAction(resolving.action).slice(0, 200) || action],
            ...(argumentFrom === null ? {} : { argumentFrom }),
          };
          const key = JSON.stringify(data);
          if (!found.has(key)) {
            // Only when every step of the way says how long it took: a run that logs no durations
            // read as "resolved in 0 ms", and its zeros pulled every pattern's mean down.
            const durations = steps.slice(i + 1, j + 1).map((step) => step.durationMs);
            const timed = durations.every((ms) => typeof ms === 'number');
            found.set(key, {
              data,
              success: succeeded,
              measurements: {
                stepsToResolve: j - i,
                ...(timed ? { msToResolve: durations.reduce<number>((sum, ms) => sum + (ms ?? 0), 0) } : {}),
              },
            });
          }
        }
        return [...found.values()];
      },
    };
  },
});

/** The step that resolved the failure at `i`: the same action succeeding, else the first success. */
function resolvingStep(
  steps: readonly StepView[],
  i: number,
  end: number,
  action: string,
  normalizeAction: (action: string) => string,
): number {
  let firstSuccess = -1;
  for (let j = i + 1; j < end; j += 1) {
    const step = steps[j] as StepView;
    if (step.success !== true) continue;
    if (normalizeAction(step.action).slice(0, 200) === action) return j;
    if (firstSuccess === -1) firstSuccess = j;
  }
  return firstSuccess;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, offset) => from + offset);
}
