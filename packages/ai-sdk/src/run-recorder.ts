import { unlessAborted, withinTime } from './bounded-wait.js';
import type { EpisodicMemory, RecordedStep } from './memory-port.js';
import { refused } from './store-answers.js';

/** How a run ended: `archived` when its outcome never reached `withMemory` (ended with none). */
type Outcome = 'completed' | 'failed' | 'archived';

/** What `settings.episode()` says of a run: its outcome, or `active` while it has none. */
export type RunStatus = Outcome | 'active';

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
 * One run's episode. Writes go through one chain, so steps are stored in the order the run
 * made them and before the outcome. A failing write is reported once and the run goes on: a
 * refused batch of steps is lost alone, an unreachable store (or one that does not answer in
 * time) stops the step writes, and the outcome is still written whenever the episode was
 * started, so no episode is left open. A start answered too late is archived when it lands.
 */
export class RunRecorder {
  #chain: Promise<unknown> = Promise.resolve();
  #episode: { id: string } | null = null;
  #finished = false;
  #unreachable = false;
  #failed = false;
  /** The run's outcome once one is known, set at once (its write is queued): the first one wins. */
  #outcome: Outcome | null = null;
  /** What is recorded of the run may be another run's: whatever ends it, it is archived. */
  #mixed = false;
  #retryTimer: NodeJS.Timeout | undefined;
  /** Aborted when the run finishes: it removes the listeners the run put on callers' signals. */
  readonly #done = new AbortController();
  /** The caller's abort signal: the run's step writes take it, and no hook waits past it. */
  #signal: AbortSignal | undefined;
  readonly #watched = new WeakSet<AbortSignal>();

  constructor(
    private readonly memory: EpisodicMemory,
    private readonly report: (error: unknown) => void,
    /** Longest wait for one write; past it the store counts as unreachable for the run. */
    private readonly timeoutMs: number,
  ) {}

  /**
   * Queues `link` after the run's earlier writes. A write made with `signal` that fails once it
   * aborted is no failure of the store: the caller stopped the run.
   */
  #queue(link: () => Promise<unknown>, signal?: AbortSignal): Promise<void> {
    const next = this.#chain.then(link).then(
      () => undefined,
      (error: unknown) => {
        if (signal?.aborted) return;
        if (!this.#failed) this.report(error);
        this.#failed = true;
        if (!refused(error)) this.#unreachable = true;
      },
    );
    this.#chain = next;
    return next;
  }

  #then(write: () => Promise<unknown>, signal?: AbortSignal): Promise<void> {
    return this.#queue(() => withinTime(write(), this.timeoutMs), signal);
  }

  /** The episode's id once started. */
  get episodeId(): string | null {
    return this.#episode?.id ?? null;
  }

  /** The run's outcome, once it has one (its write may still be under way). */
  get outcome(): Outcome | null {
    return this.#outcome;
  }

  /** The caller's abort signal for the run, as the AI SDK gives it (the first one given is kept). */
  useSignal(signal: AbortSignal | undefined): void {
    this.#signal ??= signal;
  }

  /** A model call of the run failed with an error the SDK may retry, and no retry has started yet. */
  get awaitingRetry(): boolean {
    return awaitingRetry.has(this);
  }

  start(input: Parameters<EpisodicMemory['episodes']['start']>[0]): Promise<void> {
    return this.#queue(async () => {
      // Without the caller's signal: an aborted run's episode is recorded all the same, as failed.
      this.#episode = await withinTime(this.memory.episodes.start(input), this.timeoutMs, {
        late: (late) => this.#archiveUnrecorded(late.id),
      });
    });
  }

  /**
   * A start answered after the run stopped waiting for it: the run goes on without memory and
   * records nothing in that episode. Archiving ends it with no outcome, which is what it has: left
   * `active` it would stay open for ever; completed or failed, mining would learn an outcome from a
   * run it never saw. Off the run's chain, so the model never waits on it; a failure is reported.
   */
  #archiveUnrecorded(id: string): void {
    void this.memory.episodes.archive(id).catch((error: unknown) => this.report(error));
  }

  /**
   * Writes a step's tool calls with the caller's signal: once the caller stops the run, a write
   * under way is let go (the store may still store it) and one not yet sent is dropped.
   */
  log(steps: RecordedStep[]): Promise<void> {
    const signal = this.#signal;
    const written = this.#then(async () => {
      if (this.#episode === null || this.#finished || this.#unreachable || signal?.aborted) return;
      await this.memory.episodes.logSteps(this.#episode.id, steps, { signal });
    }, signal);
    return unlessAborted(written, signal);
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

  /**
   * Another run's steps and outcome may land in this one (runs overlapping on one settings
   * object), so its outcome says nothing of its own: it is archived however it ends.
   */
  markMixed(): void {
    this.#mixed = true;
  }

  /** Whether `markMixed` was called: the run's hooks may be another run's, so miscounts are expected. */
  get isMixed(): boolean {
    return this.#mixed;
  }

  /** A model call of this run starts: a failure awaiting its retry is taken back. */
  retrying(): void {
    clearTimeout(this.#retryTimer);
    awaitingRetry.delete(this);
  }

  /**
   * The caller's signal aborting fails the run. Every model call passes the same signal: one
   * listener per signal, removed when the run finishes, since a long-lived signal (a server's
   * shutdown signal shared by every run) would otherwise keep every past run alive.
   */
  failOnAbort(signal: AbortSignal | undefined): void {
    if (signal === undefined || this.#watched.has(signal) || this.#done.signal.aborted) return;
    this.#watched.add(signal);
    // An aborted signal sends no more events: one that aborted before the run saw it fails it now.
    if (signal.aborted) {
      void this.finish('failed');
      return;
    }
    signal.addEventListener('abort', () => void this.finish('failed'), {
      once: true,
      signal: this.#done.signal,
    });
  }

  /**
   * The first outcome wins: an abort reported after the error that caused it changes nothing.
   * `archived` ends the episode with no outcome, for a run whose outcome never came: not
   * learned from, as a success or as a failure it may not have been. Written without the caller's
   * signal (an aborted run is failed by it, which that signal would stop from being sent), but not
   * waited for once it aborts: `settled()` waits for it.
   */
  finish(outcome: Outcome): Promise<void> {
    this.retrying();
    this.#done.abort();
    const status = this.#mixed ? 'archived' : outcome;
    this.#outcome ??= status;
    const written = this.#then(async () => {
      if (this.#episode === null || this.#finished) return;
      this.#finished = true;
      const { id } = this.#episode;
      // A store's client sends an end again after a lost answer: the store answers the end the
      // episode already has (`@episodic/sdk` replays it), so no try is made here.
      await (status === 'archived'
        ? this.memory.episodes.archive(id)
        : this.memory.episodes.complete(id, { status }));
    });
    return unlessAborted(written, this.#signal);
  }

  /**
   * The episode and the run's status once every write queued so far is done; `null` if it could
   * not be started or the store became unreachable. Asked for after the run, a model failure
   * still awaiting a retry is final: the run failed.
   */
  async settled(): Promise<{ id: string; status: RunStatus } | null> {
    if (awaitingRetry.has(this)) void this.finish('failed');
    await this.#chain;
    if (this.#unreachable || this.#episode === null) return null;
    return { id: this.#episode.id, status: this.#outcome ?? 'active' };
  }
}
