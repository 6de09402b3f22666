import type { EpisodicMemory, RecordedStep } from './memory-port.js';

type Outcome = 'completed' | 'failed';

/**
 * One run's episode. Writes go through one chain, so steps are stored in the order the run
 * made them and before the outcome; a failing write is reported once and the run goes on
 * without memory.
 */
export class RunRecorder {
  #chain: Promise<unknown> = Promise.resolve();
  #episode: { id: string } | null = null;
  #finished = false;
  #broken = false;

  constructor(
    private readonly memory: EpisodicMemory,
    private readonly report: (error: unknown) => void,
  ) {}

  #then(write: () => Promise<unknown>): Promise<void> {
    const next = this.#chain.then(async () => {
      if (this.#broken) return;
      try {
        await write();
      } catch (error) {
        this.#broken = true;
        this.report(error);
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
      if (this.#episode !== null && !this.#finished)
        await this.memory.episodes.logSteps(this.#episode.id, steps);
    });
  }

  /** The first outcome wins: an abort reported after the error that caused it changes nothing. */
  finish(status: Outcome): Promise<void> {
    return this.#then(async () => {
      if (this.#episode === null || this.#finished) return;
      this.#finished = true;
      await this.memory.episodes.complete(this.#episode.id, { status });
    });
  }

  /** The episode once every write queued so far is done; `null` if the memory failed. */
  async settled(): Promise<{ id: string } | null> {
    await this.#chain;
    return this.#broken ? null : this.#episode;
  }
}
