import type { TRPCClient } from '@trpc/client';
import { TRPCClientError } from '@trpc/client';
import { abortedError, untilAborted } from './aborted.js';
import { EpisodicClientError } from './errors.js';
import type { RemoteCallOptions } from './remote-memory.js';
import { defaultRetryPolicy, isTransient, type RetryPolicy, withRetries } from './retry.js';
import { logStepsOnce } from './send-once.js';
import { type RefusedStep, refusedIndexes, type StepIssue } from './step-refusals.js';
import type { AppRouter, CompleteEpisodeInput, Episode, Step, StepInput } from './types.js';

export interface StepBufferOptions {
  /** Most steps sent in one request; reaching it sends them at once. Default 50. */
  maxBatch: number;
  /**
   * Most bytes of JSON the steps of one request may take; a step larger on its own goes alone.
   * Default 4 MiB: half the server's default body limit (8 MiB), so the calls that share the
   * request (those made in the same tick) fit too. Valid steps can be large: 50 results of
   * 65,536 characters are 3 to 20 MB of JSON.
   */
  maxBatchBytes: number;
  /** Longest a recorded step waits before it is sent, in ms. Default 250. */
  flushIntervalMs: number;
  /**
   * Retries of a request (the start, a batch, the outcome) that got no answer or a transient
   * error. Default 4 tries after the first, from 100 ms.
   */
  retry: RetryPolicy;
  /**
   * Receives the error of a send that nobody awaited (one started by size or by the timer).
   * Without it, a refusal is thrown by the next `flush()` or `complete()` instead.
   */
  onError?: ((error: unknown) => void) | undefined;
}

export const defaultStepBufferOptions: StepBufferOptions = {
  maxBatch: 50,
  maxBatchBytes: 4 * 1024 * 1024,
  flushIntervalMs: 250,
  retry: defaultRetryPolicy,
};

type BufferedStep = StepInput & { id: string };

const utf8 = new TextEncoder();

/** The bytes a step adds to a request's body. */
function bytesOf(step: BufferedStep): number {
  try {
    return utf8.encode(JSON.stringify(step)).byteLength;
  } catch {
    // JSON cannot write it (a BigInt): sending it fails instead, in metadata with its field path.
    return 0;
  }
}

/** The server's answer to a body over its `maxBodyBytes`. */
const isTooLarge = (error: unknown) =>
  error instanceof TRPCClientError && (error.data as { httpStatus?: number } | undefined)?.httpStatus === 413;

/**
 * One episode as an agent records it: `step()` returns at once and the steps travel in
 * batches. Each step gets its id here, before it is sent, so a batch replayed after a lost
 * response is stored once. Batches go one at a time, so the server numbers steps in the order
 * they were recorded. `flush()` and `complete()` take a `signal` as `RemoteMemory`'s methods do.
 */
export class EpisodeHandle {
  readonly episode: Episode;
  readonly #client: TRPCClient<AppRouter>;
  readonly #options: StepBufferOptions;
  readonly #buffer: BufferedStep[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  /** `maxBatchBytes`, or less once the server refused a batch as too large. */
  #maxBytes: number;
  /** A refusal from a send nobody awaited, thrown by the next `flush()` or `complete()`. */
  #unreported: unknown = undefined;
  /** Steps recorded so far, and the place of each one still waiting. */
  #recorded = 0;
  readonly #places = new Map<string, number>();
  readonly #refused: RefusedStep[] = [];

  constructor(client: TRPCClient<AppRouter>, episode: Episode, options: StepBufferOptions) {
    this.#client = client;
    this.episode = episode;
    this.#options = options;
    this.#maxBytes = options.maxBatchBytes;
  }

  get id(): string {
    return this.episode.id;
  }

  /** Steps recorded but not yet acknowledged by the server. */
  get pending(): number {
    return this.#buffer.length;
  }

  /**
   * The steps dropped because the server refused them, oldest first: a refusal's own `issues`
   * index the batch the step went in (`steps.5.action`), these the steps as recorded here.
   */
  get refused(): readonly RefusedStep[] {
    return this.#refused;
  }

  /** Records a step and returns its id. It is sent with the next batch. */
  step(step: StepInput): string {
    if (this.#closed) {
      throw new EpisodicClientError(
        'EPISODE_CLOSED',
        `Episode ${this.id} is completed; it takes no more steps.`,
      );
    }
    const id = crypto.randomUUID();
    this.#buffer.push({ ...step, id });
    this.#places.set(id, this.#recorded);
    this.#recorded += 1;
    if (this.#buffer.length >= this.#options.maxBatch) this.#sendInBackground();
    else this.#timer ??= setTimeout(() => this.#sendInBackground(), this.#options.flushIntervalMs);
    return id;
  }

  /**
   * Sends every recorded step and resolves, once all are stored, with the steps this call sent
   * as stored (numbered); those a full batch or the timer sent before are not in it.
   *
   * `signal` stops waiting: the call rejects at once with `ABORTED` (a `TRPCClientError` whose
   * cause is an `EpisodicClientError`), sending nothing if it was still waiting for an earlier
   * batch. Its steps stay `pending`, for the next batch, `flush()` or `complete()`: under the same
   * ids, so a batch the server stored before the abort is not stored twice.
   */
  async flush(options: RemoteCallOptions = {}): Promise<Step[]> {
    const { signal } = options;
    if (signal?.aborted) throw abortedError('episodes.logSteps', signal.reason);
    const stored = await untilAborted(this.#enqueue(signal), signal, 'episodes.logSteps');
    this.#throwUnreported();
    return stored;
  }

  /**
   * Sends the remaining steps, then records the outcome. Safe to call again after a failure.
   * `signal` stops waiting, as for `flush()`: aborted already, nothing is sent and the episode
   * still takes steps; aborted later, the outcome may still be recorded on the server, and
   * `complete()` called again then answers with the episode.
   */
  async complete(outcome: CompleteEpisodeInput, options: RemoteCallOptions = {}): Promise<Episode> {
    const { signal } = options;
    if (signal?.aborted) throw abortedError('episodes.complete', signal.reason);
    this.#closed = true;
    await this.flush(options);
    const input = { episodeId: this.id, ...outcome };
    const request = { signal };
    // A completion sent again (after a lost answer, or after an aborted call) meets the one it
    // made: the server answers an end it already has with the episode.
    return withRetries(
      this.#options.retry,
      () => this.#client.episodes.complete.mutate(input, request),
      signal,
    );
  }

  /** Runs a send after the ones queued before it; one whose `signal` aborted meanwhile sends nothing. */
  #enqueue(signal?: AbortSignal): Promise<Step[]> {
    const run = this.#queue.then(() => {
      if (signal?.aborted) throw abortedError('episodes.logSteps', signal.reason);
      return this.#send(signal);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #sendInBackground(): void {
    this.#enqueue().catch((error: unknown) => {
      if (this.#options.onError !== undefined) this.#options.onError(error);
      else if (!isTransient(error)) this.#unreported ??= error;
      // Steps kept after a transient failure are tried again later, not only on the next flush().
      if (isTransient(error) && this.#buffer.length > 0) {
        this.#timer ??= setTimeout(() => this.#sendInBackground(), this.#options.flushIntervalMs);
      }
    });
  }

  async #send(signal?: AbortSignal): Promise<Step[]> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const stored: Step[] = [];
    const refusals: unknown[] = [];
    while (this.#buffer.length > 0) {
      const { batch, bytes } = this.#nextBatch();
      try {
        stored.push(
          ...(await logStepsOnce(
            this.#client,
            { episodeId: this.id, steps: batch },
            this.#options.retry,
            signal,
          )),
        );
      } catch (error) {
        // The server's body limit is below the cap (set lower there, or other calls shared the
        // request): each step may still be valid, so the batch goes again as halves, and later
        // batches keep to the lower cap. Only a single step too large is a refusal.
        if (batch.length > 1 && isTooLarge(error)) {
          this.#maxBytes = Math.floor(bytes / 2);
          continue;
        }
        // Transient failures and aborts keep the batch, to be sent again with the same ids.
        if (isTransient(error) || signal?.aborted === true) throw error;
        // Refused steps would be refused again: they are dropped, the batch's others sent on. A
        // refusal that names no step of the batch drops it whole.
        const refused = refusedIndexes(error, batch.length);
        if (refused === null) {
          const whole = [{ path: '', message: error instanceof Error ? error.message : String(error) }];
          this.#dropRefused(batch.map((step) => [step, whole]));
          throw error;
        }
        refusals.push(error);
        this.#dropRefused([...refused].map(([index, issues]) => [batch[index] as BufferedStep, issues]));
        continue;
      }
      this.#drop(batch);
    }
    // As before, the server's refusal: its `issues` index the batch the refused steps were in.
    if (refusals.length > 0) throw refusals[0];
    return stored;
  }

  /** Takes refused steps out of the buffer, and lists them in `refused` in the order recorded. */
  #dropRefused(steps: [BufferedStep, StepIssue[]][]): void {
    const refused = steps.map(([step, issues]) => ({
      id: step.id,
      index: this.#places.get(step.id) as number,
      issues,
    }));
    this.#refused.push(...refused.sort((a, b) => a.index - b.index));
    this.#drop(steps.map(([step]) => step));
  }

  /** Takes `steps` out of the buffer (stored or refused). */
  #drop(steps: readonly BufferedStep[]): void {
    const gone = new Set(steps.map((step) => step.id));
    for (const id of gone) this.#places.delete(id);
    for (let index = this.#buffer.length - 1; index >= 0; index -= 1) {
      const step = this.#buffer[index] as BufferedStep;
      if (gone.has(step.id)) this.#buffer.splice(index, 1);
    }
  }

  /** The oldest waiting steps, at most `maxBatch` and `#maxBytes` of them, and at least one. */
  #nextBatch(): { batch: BufferedStep[]; bytes: number } {
    const batch: BufferedStep[] = [];
    let bytes = 0;
    for (const step of this.#buffer.slice(0, this.#options.maxBatch)) {
      const size = bytesOf(step);
      if (batch.length > 0 && bytes + size > this.#maxBytes) break;
      batch.push(step);
      bytes += size;
    }
    return { batch, bytes };
  }

  #throwUnreported(): void {
    const error = this.#unreported;
    if (error === undefined) return;
    this.#unreported = undefined;
    throw error;
  }
}
