import { Worker } from 'node:worker_threads';
import {
  EpisodicError,
  type EpisodicErrorCode,
  type FlushInput,
  type LearningStatus,
  releaseWriteLocksOf,
  shareWriteLocks,
} from '@episodic/core';
import { ServerError } from '../errors/server-error.js';
import type {
  LearningThreadCall,
  LearningThreadData,
  LearningThreadMessage,
  LearningThreadSettings,
  ThreadMemory,
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
function spawn(settings: LearningThreadSettings): Worker {
  // Opened by this thread's store already: the thread's connection queues on the same lock.
  const workerData: LearningThreadData = { ...settings, writeLocks: shareWriteLocks() };
  const entry = new URL(import.meta.url.replace(/learning-thread\.(ts|js)$/, 'learning-thread-entry.$1'));
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * Starts the thread without waiting for its store to open (a server listens meanwhile): calls
 * queue until it has (`onOpen` hears when). If it cannot open, or ends unasked once open,
 * `onFailure` hears why (once) and every call rejects with it, as `UNAVAILABLE`: the thread is
 * gone, its learners' work stays queued in the database for the next (learning-supervisor.ts).
 */
export function startLearningThread(
  settings: LearningThreadSettings,
  { onOpen, onFailure }: { onOpen: () => void; onFailure: (error: Error) => void },
): LearningThread {
  const worker = spawn(settings);
  const { threadId } = worker;
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let ended: Error | null = null;
  let isOpen = false;
  let closing: Promise<void> | null = null;
  const fail = (error: Error) => {
    // Once open, an end nobody asked for is news: before, the rejected opening reports it.
    if (isOpen && closing === null && ended === null) onFailure(error);
    ended ??= error;
    for (const call of pending.values()) call.reject(ended);
    pending.clear();
  };

  const opened = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: LearningThreadMessage) => {
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
        await call({ call: 'close' }).catch(() => undefined);
        // Its store is closed: a handle some library left open must not keep the thread alive.
        await worker.terminate();
      })();
      return closing;
    },
  };
}
