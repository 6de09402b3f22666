import {
  defineMiner,
  type PatternCandidate,
  type PatternMinerV1,
  type StepView,
  toolName,
} from '@episodic/plugin';
import { z } from 'zod';
import { type TransientError, transientError, transientErrors } from './transient-error.js';

/** The options of `createRetryBackoffMiner`: a zod 4 schema, which `defineMiner` reads as a Standard Schema. */
export const retryBackoffOptionsSchema = z.strictObject({
  /** A pause between the failure and the retry at least this long counts as waiting. */
  minWaitMs: z.number().int().min(0).default(1000),
  /** An action the agent logs to wait (`sleep 5`, `wait 2s`, `backoff`): between failure and retry, it counts as waiting whatever its length. */
  waitAction: z.instanceof(RegExp).default(/^(sleep|wait|backoff|pause)\b/i),
  /** Steps read per episode: the miner's work is bounded whatever the episode's length. */
  maxSteps: z.number().int().min(1).max(100_000).default(2000),
});
export type RetryBackoffOptions = z.input<typeof retryBackoffOptionsSchema>;

/** `pattern_data` of a `retry_backoff` pattern: which tool, and which transient error waiting got past. */
export const retryBackoffDataSchema = z.strictObject({
  tool: z.string().min(1).max(200),
  error: z.enum(transientErrors),
});
export type RetryBackoffData = z.infer<typeof retryBackoffDataSchema>;

/** A failed action waiting for its retry. */
interface Pending {
  tool: string;
  error: TransientError;
  /** When the last failed attempt ended, in ms since the epoch. */
  failedAtMs: number;
  /** Whether a wait action ran since that failure. */
  waited: boolean;
  /** Retries after a wait that failed again. */
  failedRetries: number;
}

const endMs = (step: StepView) => Date.parse(step.timestamp);
const startMs = (step: StepView) => endMs(step) - (step.durationMs ?? 0);

/**
 * Finds retries with backoff: a step that failed with a transient error (rate limited, timed
 * out, server unavailable, resource busy), then, after a wait (a wait action, or a pause of at
 * least `minWaitMs`), the very same action again. The pattern `{ tool, error }` is evidence of
 * success when a retry after a wait succeeded, and evidence against when retries after waits
 * kept failing to the end of the episode: its success rate says how often backing off works.
 *
 * @example
 * const memory = await openMemory({ miners: [createRetryBackoffMiner({ minWaitMs: 500 })] });
 */
export const createRetryBackoffMiner = defineMiner({
  name: 'retry-backoff miner',
  options: retryBackoffOptionsSchema,
  create(settings): PatternMinerV1<RetryBackoffData> {
    return {
      specificationVersion: 'v1',
      patternType: 'retry_backoff',
      dataSchema: retryBackoffDataSchema,
      describe: (data) => `retry ${data.tool} after a wait on ${data.error.replace('_', ' ')}`,
      mine({ episode, signal }) {
        signal?.throwIfAborted();
        // Keyed by the exact action: "the same action" means the same call, arguments and all.
        const pending = new Map<string, Pending>();
        const outcomes = new Map<string, { data: RetryBackoffData; success: boolean; waitMs: number }>();
        const record = (entry: Pending, success: boolean, waitMs: number) => {
          const data = { tool: entry.tool, error: entry.error };
          const key = `${data.tool}\u0000${data.error}`;
          const known = outcomes.get(key);
          // Once in an episode it worked, the episode is evidence that it works.
          if (known === undefined || (success && !known.success))
            outcomes.set(key, { data, success, waitMs });
        };
        for (const step of episode.steps.slice(0, settings.maxSteps)) {
          const action = step.action.trim();
          if (settings.waitAction.test(action)) {
            for (const entry of pending.values()) entry.waited = true;
            continue;
          }
          const entry = pending.get(action);
          if (entry !== undefined && step.success !== null) {
            const waitMs = Math.max(0, startMs(step) - entry.failedAtMs);
            const waited = entry.waited || waitMs >= settings.minWaitMs;
            if (step.success) {
              if (waited) record(entry, true, waitMs);
              pending.delete(action);
              continue;
            }
            if (waited) entry.failedRetries += 1;
            Object.assign(entry, { failedAtMs: endMs(step), waited: false });
            continue;
          }
          const error = step.success === false ? transientError(step.result) : null;
          if (error !== null) {
            const tool = toolName(action).slice(0, 200);
            if (tool !== '')
              pending.set(action, { tool, error, failedAtMs: endMs(step), waited: false, failedRetries: 0 });
          }
        }
        for (const entry of pending.values()) if (entry.failedRetries > 0) record(entry, false, 0);
        return [...outcomes.values()].map(
          ({ data, success, waitMs }): PatternCandidate<RetryBackoffData> => ({
            data,
            success,
            measurements: success ? { waitMs } : {},
          }),
        );
      },
    };
  },
});
