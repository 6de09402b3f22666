/**
 * Why a run is not recorded as it should be: `HOOK_REPLACED`, one of the caller's hooks in place
 * of ours; `NO_OUTCOME`, a run ended with no outcome reaching us; `OVERLAPPING_RUNS`, a run of the
 * settings started while the previous one was under way.
 */
export type RecordingErrorCode = 'HOOK_REPLACED' | 'NO_OUTCOME' | 'OVERLAPPING_RUNS';

/** What `withMemory` reports of a run not recorded as it should be: the store itself is fine. */
export class RecordingError extends Error {
  override name = 'RecordingError';

  constructor(
    readonly code: RecordingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Ends every report: how to keep a hook of your own without losing ours. */
const chain = 'call ours from yours, as the @episodic/ai-sdk README shows under "Your own hooks"';

const episode = (id: string | null) => (id === null ? 'episode' : `episode ${id}`);

/**
 * What `withMemory` tells `onMemoryError` when a run is not recorded as it should be: one of the
 * caller's hooks in place of ours, a run with no outcome, overlapping runs. A replaced hook is
 * reported once per settings, as every run of them has it; a run's episode each time.
 */
export function hookReports(report: (error: unknown) => void) {
  const once = new Set<string>();
  const reportOnce = (key: string, message: string) => {
    if (once.has(key)) return;
    once.add(key);
    report(new RecordingError('HOOK_REPLACED', message));
  };
  return {
    prepareStepReplaced: () =>
      reportOnce(
        'prepareStep',
        `withMemory: a run reached onStepFinish or onFinish without starting in withMemory's prepareStep: a prepareStep of yours replaced ours, so the run is not recorded and its model is shown no memory; ${chain}.`,
      ),
    onStepFinishReplaced: () =>
      reportOnce(
        'onStepFinish',
        `withMemory: a step finished without reaching withMemory's onStepFinish: an onStepFinish of yours replaced ours, so the run's tool calls are recorded only from onFinish, when the run finishes; ${chain}.`,
      ),
    /** Asked for its episode, a run the SDK will tell nothing more about is ended with no outcome. */
    noOutcome: (id: string | null) =>
      report(
        new RecordingError(
          'NO_OUTCOME',
          `withMemory: settings.episode() was asked for a run that has no outcome and nothing under way: the AI SDK ended it without onFinish, onError or onAbort (a stream its consumer stopped reading: pass the request's abortSignal, or call result.consumeStream()), or an onFinish of yours replaced ours (${chain}). The run's ${episode(id)} is archived: ended with no outcome.`,
        ),
      ),
    /** A new run of the same settings starts while the last one has no outcome. */
    abandoned: (id: string | null, running: boolean) =>
      report(
        new RecordingError(
          running ? 'OVERLAPPING_RUNS' : 'NO_OUTCOME',
          running
            ? `withMemory: a run started while the previous run of these settings is still under way: one withMemory() records one run at a time, so use one per concurrent run. What the two runs do from now on cannot be told apart, so both are archived (ended with no outcome): the previous run's ${episode(id)} now, and the new run's when it ends.`
            : `withMemory: the previous run of these settings ended without an outcome reaching withMemory (a stream its consumer stopped reading, an error thrown outside the model call, or an onFinish of yours that replaced ours: ${chain}). Its ${episode(id)} is archived: ended with no outcome.`,
        ),
      ),
  };
}
