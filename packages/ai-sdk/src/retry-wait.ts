/**
 * The AI SDK's retry of a model call (`maxRetries`, 2 by default): it retries an error marked
 * `isRetryable` (an API call answered 408, 409, 429 or 5xx, a gateway error), waiting 2 s, then
 * twice as long before each next try, or what the answer's `retry-after` headers ask when that
 * is under a minute. `maxRetries` is the caller's and not visible here, so whether a retry
 * will come is not known when a try fails.
 */
const firstWaitMs = 2000;
const longestHeaderWaitMs = 60_000;
/** Time for the retry to reach the model once the SDK's wait is over (a busy event loop). */
const slackMs = 5000;

/**
 * How long a run whose model call failed with `error`, after `failedTries` failed tries of that
 * call, should wait for the SDK's retry before it counts as failed; `null` when the SDK does not
 * retry that error (the run failed).
 */
export function retryWaitMs(error: unknown, failedTries: number): number | null {
  if (!(error instanceof Error) || (error as { isRetryable?: unknown }).isRetryable !== true) return null;
  return Math.max(firstWaitMs * 2 ** (failedTries - 1), longestHeaderWaitMs) + slackMs;
}
