import { Worker } from 'node:worker_threads';
import {
  EpisodicError,
  type EpisodicErrorCode,
  type FlushInput,
  type LearningStatus,
  learningOptionsSchema,
  releaseWriteLocksOf,
  shareWriteLocks,
} from '@episodic/core';
import { ServerError } from '../errors/server-error.js';
import {
  beatMs,
  type LearningThreadCall,
  type LearningThreadData,
  type LearningThreadMessage,
  type LearningThreadSettings,
  type MinerCall,
  type ThreadMemory,
} from './learning-thread-protocol.js';

/** The learners of a serving process, running in a worker thread of their own. */
export interface LearningThread {
  status(): Promise<LearningStatus>;
  flush(input: FlushInput): Promise<LearningStatus>;
  retryFailed(): Promise<number>;
  /** The thread's own heap: `/metrics` reports it beside the serving thread's. */
  memory(): Promise<ThreadMemory>;
  /** Lets the batches in flight finish (their results commit or stay queued), then ends the thread. */
  close(): Promise<void>;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: unknown) => void };
type Call = LearningThreadCall extends infer C
  ? C extends LearningThreadCall
    ? Omit<C, 'id'>
    : never
  : never;

/**
 * The thread runs this module's sibling entry in whatever form this module was loaded: the
 * built `.js`, or the `.ts` source (tests), which a worker thread can only load through tsx.
 */
function spawn(settings: LearningThreadSettings, skip: MinerCall[]): Worker {
  // Opened by this thread's store already: the thread's connection queues on the same lock.
  const workerData: LearningThreadData = { ...settings, writeLocks: shareWriteLocks(), skip };
  const entry = new URL(import.meta.url.replace(/learning-thread\.(ts|js)$/, 'learning-thread-entry.$1'));
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * How long the open thread may go without a beat before it is stopped: `learning.mineTimeoutMs`,
 * which a miner's call must settle within, and as much again up to 10 s for the thread's own
 * work around it (a transaction, a collection). Code that computes for that long without a pause
 * (a miner's loop, a regular expression backtracking for ever) can only be stopped from outside.
 */
export function stallLimitMs(settings: LearningThreadSettings): number {
  const learning = settings.config.memory.learning as { mineTimeoutMs?: unknown } | undefined;
  // Validated with the settings already: what is left is the engine's default when unset.
  const mineTimeoutMs = learningOptionsSchema.shape.mineTimeoutMs.parse(learning?.mineTimeoutMs);
  return mineTimeoutMs + Math.min(mineTimeoutMs, 10_000);
}

/** How long a closing thread may go without a beat before it is stopped rather than waited for. */
const closeStallMs = 2 * beatMs + 1000;

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

function stallMessage(silentMs: number, limitMs: number, call: MinerCall | null): string {
  const what =
    call === null
      ? "a learner's code computing without a pause (a miner, its dataSchema, or the embedding provider)"
      : `miner ${call.miner} in mine() on episode ${call.episodeId}`;
  const next =
    call === null
      ? 'it starts again, and its batch is retried'
      : 'it starts again and skips that miner on that episode (counted as the miner failing on it)';
  return `The learning thread ran ${seconds(silentMs)} without a pause (its limit: learning.mineTimeoutMs and up to 10 s more, ${seconds(limitMs)}): ${what}. It was stopped; ${next}.`;
}

/**
 * Starts the thread without waiting for its store to open (a server listens meanwhile): calls
 * queue until it has (`onOpen` hears when). If it cannot open, or ends unasked once open,
 * `onFailure` hears why (once) and every call rejects with it, as `UNAVAILABLE`: the thread is
 * gone, its learners' work stays queued in the database for the next (learning-supervisor.ts).
 * Once open, a thread whose event loop stops turning for `stallLimitMs` is stopped the same way,
 * and `onStuck` hears the miner call it was in, if any, for the next thread to `skip`.
 */
export function startLearningThread(
  settings: LearningThreadSettings,
  {
    onOpen,
    onFailure,
    onStuck = () => undefined,
    skip = [],
  }: {
    onOpen: () => void;
    onFailure: (error: Error) => void;
    onStuck?: (call: MinerCall) => void;
    skip?: MinerCall[];
  },
): LearningThread {
  const worker = spawn(settings, skip);
  const { threadId } = worker;
  const pending = new Map<number, Pending>();
  const limitMs = stallLimitMs(settings);
  let nextId = 0;
  let ended: Error | null = null;
  let isOpen = false;
  let closing: Promise<void> | null = null;
  let lastBeat = performance.now(); // monotonic: a wall clock stepped forward is no stall
  let calling: MinerCall | null = null;
  const fail = (error: Error) => {
    // Once open, an end nobody asked for is news: before, the rejected opening reports it.
    if (isOpen && closing === null && ended === null) onFailure(error);
    ended ??= error;
    clearInterval(watchdog);
    for (const call of pending.values()) call.reject(ended);
    pending.clear();
  };
  const stop = (error: Error) => {
    void worker.terminate();
    fail(error);
  };
  const watchdog = setInterval(() => {
    const silentMs = performance.now() - lastBeat;
    if (!isOpen || ended !== null || silentMs <= limitMs) return;
    const stuck = calling;
    if (stuck !== null) onStuck(stuck);
    stop(new ServerError('UNAVAILABLE', stallMessage(silentMs, limitMs, stuck)));
  }, beatMs);
  watchdog.unref();

  const opened = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: LearningThreadMessage) => {
      lastBeat = performance.now();
      if ('beat' in message) return;
      if ('started' in message) {
        calling = message.started;
        return;
      }
      if ('settled' in message) {
        const { miner, episodeId } = message.settled;
        if (calling?.miner === miner && calling.episodeId === episodeId) calling = null;
        return;
      }
      if ('opened' in message) {
        if (message.opened) {
          isOpen = true;
          resolve();
          onOpen();
        } else {
          const error = new ServerError(
            'UNAVAILABLE',
            `The learning thread could not open the store: ${message.message}`,
          );
          reject(error);
          fail(error);
        }
        return;
      }
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (call === undefined) return;
      if ('error' in message)
        call.reject(
          message.error.code === null
            ? new Error(message.error.message)
            : new EpisodicError(message.error.code as EpisodicErrorCode, message.error.message),
        );
      else call.resolve(message.value);
    });
    worker.once('error', (error) => {
      reject(error);
      fail(error);
    });
    worker.once('exit', (code) => {
      releaseWriteLocksOf(threadId);
      const error = new ServerError('UNAVAILABLE', `The learning thread ended (exit code ${code}).`);
      reject(error);
      fail(error);
    });
  });
  opened.catch(onFailure);

  const call = <T>(request: Call): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (ended !== null) return reject(ended);
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });

  return {
    status: () => call<LearningStatus>({ call: 'status' }),
    flush: (input) => call<LearningStatus>({ call: 'flush', input }),
    retryFailed: () => call<number>({ call: 'retryFailed' }),
    memory: () => call<ThreadMemory>({ call: 'memory' }),
    close() {
      closing ??= (async () => {
        if (ended !== null) return;
        // A thread that stopped beating will not answer: it is stopped rather than waited for
        // (what it had not stored stays queued in the database), or a SIGTERM never ended the process.
        let stalled: NodeJS.Timeout | undefined;
        const stopsBeating = new Promise<void>((resolve) => {
          stalled = setInterval(() => {
            // Once open: a thread still opening (migrating a large store) is waited for, as before.
            if (isOpen && performance.now() - lastBeat > closeStallMs) resolve();
          }, beatMs / 4);
        });
        await Promise.race([call({ call: 'close' }).catch(() => undefined), stopsBeating]);
        clearInterval(stalled);
        // Its store is closed: a handle some library left open must not keep the thread alive.
        await worker.terminate();
      })();
      return closing;
    },
  };
}
