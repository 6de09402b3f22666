import type { EpisodicMemory } from './memory-port.js';
import { retryWaitMs } from './retry-wait.js';
import { RunActivity } from './run-activity.js';
import { RunRecorder } from './run-recorder.js';

/** One run of `withMemory`'s settings: its episode's writes, where it is, what its model is shown. */
export class MemoryRun {
  readonly recorder: RunRecorder;
  readonly activity = new RunActivity();
  /** What `experimental_onToolCallFinish` measured, by tool call id. */
  readonly durations = new Map<string, number>();
  /** The memory message for every model call of the run, once looked up; `null` for none. */
  reference: string | null = null;
  /** `onFinish` reached us for this run: a later `onStepFinish` or `onFinish` is another run's. */
  sawFinish = false;
  /** Failed tries of the current model call: the AI SDK waits longer before each retry. */
  #failedTries = 0;

  constructor(memory: EpisodicMemory, report: (error: unknown) => void, timeoutMs: number) {
    this.recorder = new RunRecorder(memory, report, timeoutMs);
  }

  /**
   * A model call that throws (an API error, an abort) fails the run's episode, then throws on;
   * unless the AI SDK retries that error (this runs inside its retry loop), when the run fails
   * only if no retry comes.
   */
  async failOnError<T>(call: () => PromiseLike<T>): Promise<T> {
    try {
      const result = await call();
      this.#failedTries = 0;
      return result;
    } catch (error) {
      this.#failedTries += 1;
      const waitMs = retryWaitMs(error, this.#failedTries);
      if (waitMs === null) await this.recorder.finish('failed');
      else this.recorder.failUnlessRetried(waitMs);
      throw error;
    }
  }
}
