import type { EpisodicMemory, RecordedStep } from './memory-port.js';

type Outcome = 'completed' | 'failed';

/** Runs whose model call failed and may still be retried, failed for good if the process ends first. */
const awaitingRetry = new Set<RunRecorder>();
let failOnExit = false;

function failAwaitingRunsOnExit(): void {
  if (failOnExit) return;
  failOnExit = true;
  // `beforeExit` comes only once nothing is left to run: a retry the AI SDK waits for keeps a
  // timer pending, so a run still waiting here will not be retried. Writing its outcome keeps
  // the process alive until it is stored.
  process.on('beforeExit', () => {
    for (const run of awaitingRetry) void run.finish('failed');
  });
}

/**
 * `promise`, or a rejection once `ms` have passed without an answer. A store that never answers
 * (stuck behind a lock, a connection that went dead without closing) must not hold the model's
 * run: the SDK awaits `prepareStep` and `onStepFinish`, so an unbounded wait there stops the run.
 */
export function withinTime<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`memory did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Whether the store answered that it refuses this input (a bad field), not that it is unreachable. */
function refused(error: unknown): boolean {
  const { code, data } = (error ?? {}) as { code?: unknown; data?: { code?: unknown } | null };
  return code === 'VALIDATION' || data?.code === 'BAD_REQUEST';
}

/** No answer came (a connection refused, reset or cut), so the write may or may not have run. */
function unanswered(error: unknown): boolean {
  const { data, cause } = (error ?? {}) as { data?: unknown; cause?: unknown };
  return data === undefined && cause instanceof TypeError;
}

/** The store answered that the episode is already completed. */
function conflict(error: unknown): boolean {
  const { code, data } = (error ?? {}) as { code?: unknown; data?: { code?: unknown } | null };
  return code === 'CONFLICT' || data?.code === 'CONFLICT';
}

/**
 * One run's episode. Writes go through one chain, so steps are stored in the order the run
 * made them and before the outcome. A failing write is reported once and the run goes on: a
 * refused batch of steps is lost alone, an unreachable store (or one that does not answer in
 * time) stops the step writes, and the outcome is still written whenever the episode was
 * started, so no episode is left open.
 */
export class RunRecorder {
  #chain: Promise<unknown> = Promise.resolve();
  #episode: { id: string } | null = null;
  #finished = false;
  #unreachable = false;
  #failed = false;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly memory: EpisodicMemory,
    private readonly report: (error: unknown) => void,
    /** Longest wait for one write; past it the store counts as unreachable for the run. */
    private readonly timeoutMs: number,
  ) {}

  #then(write: () => Promise<unknown>): Promise<void> {
    const next = this.#chain.then(async () => {
      try {
        await withinTime(write(), this.timeoutMs);
      } catch (error) {
        if (!this.#failed) this.report(error);
        this.#failed = true;
        if (!refused(error)) this.#unreachable = true;
      }
    });
    this.#chain = next;
    return next;
  }

  /** The episode's id once started. */
  get episodeId(): string | null {
    return this.#episode?.id ?? null;
  }

  start(input: Parameters<EpisodicMemory['episodes']['start']>[0]): Promise<void> {
    return this.#then(async () => {
      this.#episode = await this.memory.episodes.start(input);
    });
  }

  log(steps: RecordedStep[]): Promise<void> {
    return this.#then(async () => {
      if (this.#episode !== null && !this.#finished && !this.#unreachable)
        await this.memory.episodes.logSteps(this.#episode.id, steps);
    });
  }

  /**
   * A model call failed with an error the AI SDK retries by default. The run fails unless a
   * retry starts (`retrying`) within `waitMs`, the longest the SDK waits before one; or sooner,
   * when the process is about to exit or `settled()` is asked for, as no retry is coming then.
   */
  failUnlessRetried(waitMs: number): void {
    if (this.#finished) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.finish('failed'), waitMs);
    this.#retryTimer.unref();
    awaitingRetry.add(this);
    failAwaitingRunsOnExit();
  }

  /** A model call of this run starts: a failure awaiting its retry is taken back. */
  retrying(): void {
    clearTimeout(this.#retryTimer);
    awaitingRetry.delete(this);
  }

  /** The first outcome wins: an abort reported after the error that caused it changes nothing. */
  finish(status: Outcome): Promise<void> {
    this.retrying();
    return this.#then(async () => {
      if (this.#episode === null || this.#finished) return;
      this.#finished = true;
      const { id } = this.#episode;
      try {
        await this.memory.episodes.complete(id, { status });
      } catch (error) {
        // A kept-alive connection closed under the write: it is sent once more (the SDK replays
        // no completion). A conflict then means the first one was done and only its answer was
        // lost: this run is the only writer of its outcome. Else the episode would stay open.
        if (!unanswered(error)) throw error;
        await this.memory.episodes.complete(id, { status }).catch((again: unknown) => {
          if (!conflict(again)) throw again;
        });
      }
    });
  }

  /**
   * The episode once every write queued so far is done; `null` if it could not be started or
   * the store became unreachable. Asked for after the run, a model failure still awaiting a
   * retry is final: the run failed.
   */
  async settled(): Promise<{ id: string } | null> {
    if (awaitingRetry.has(this)) void this.finish('failed');
    await this.#chain;
    return this.#unreachable ? null : this.#episode;
  }
}
