import type { LearningStatus, Memory } from '@episodic/core';
import { ServerError } from '../errors/server-error.js';
import { type LearningThread, startLearningThread } from './learning-thread.js';
import type { LearningThreadSettings, MinerCall } from './learning-thread-protocol.js';

/** Waits before a stopped learning thread is started again: doubling from the first, up to the last. */
const restartDelayMs = { first: 1_000, max: 60_000 };
/** Miner calls a thread was stopped in, kept for the next threads to refuse (the newest, at most). */
const maxSkipped = 1_000;

/**
 * The learning thread of a serving process, started again whenever it stops unasked: it could not
 * open the store (a full disk, a moment without memory) or ended. Until then the learners' work
 * waits in the database's queue, `status` answers from the serving thread's own store (which runs
 * no learners: `running: false`), and `flush` is refused as `UNAVAILABLE` (503, try again).
 * Without this, one failed start left the process learning nothing until it was restarted.
 * A thread stopped in a miner's call (learning-thread.ts) is started again with that call in its
 * `skip` list, for as long as this process runs: its batch is learned without it.
 */
export function superviseLearningThread(
  settings: LearningThreadSettings,
  serving: Memory,
  log: (line: string) => void,
): LearningThread {
  let current: LearningThread | null = null;
  let down: string | null = null;
  let delay = restartDelayMs.first;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const skip: MinerCall[] = [];

  const start = () => {
    const thread = startLearningThread(settings, {
      skip,
      onStuck: (call) => {
        skip.push(call);
        if (skip.length > maxSkipped) skip.shift();
      },
      onOpen: () => {
        if (down !== null) log('episodic: the learning thread runs again');
        down = null;
        delay = restartDelayMs.first;
      },
      onFailure: (error) => {
        if (closed || current !== thread) return;
        current = null;
        down = error.message;
        log(
          `episodic: nothing learns in this process until the learning thread starts again (in ${delay / 1000} s): ${error.message}`,
        );
        timer = setTimeout(start, delay);
        timer.unref();
        delay = Math.min(delay * 2, restartDelayMs.max);
      },
    });
    current = thread;
  };
  start();

  const unavailable = () =>
    new ServerError(
      'UNAVAILABLE',
      `The learners of this server are not running: ${down}. They start again by themselves; try again later.`,
    );
  return {
    status: (): Promise<LearningStatus> => current?.status() ?? serving.learning.status(),
    flush: (input) => current?.flush(input) ?? Promise.reject(unavailable()),
    retryFailed: () => current?.retryFailed() ?? serving.learning.retryFailed(),
    memory: () => current?.memory() ?? Promise.reject(unavailable()),
    async close() {
      closed = true;
      clearTimeout(timer);
      await current?.close();
    },
  };
}
