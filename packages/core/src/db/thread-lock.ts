import { threadId } from 'node:worker_threads';

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
// In V8 and Node since 16; typed only from lib ES2024.
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

const free = 0;
const holder = threadId + 1;

/**
 * A lock shared by the threads of one process through a `SharedArrayBuffer`: the word holds 0
 * when free, else the holder's `threadId + 1`. Waiting never blocks the event loop, unlike
 * SQLite's busy handler, which sleeps the whole thread while another thread holds the file.
 */
export class ThreadLock {
  readonly buffer: SharedArrayBuffer;
  readonly #word: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.buffer = buffer;
    this.#word = new Int32Array(buffer);
  }

  async acquire(): Promise<void> {
    for (;;) {
      const seen = Atomics.compareExchange(this.#word, 0, free, holder);
      if (seen === free) return;
      const wait = waitAsync(this.#word, 0, seen);
      if (!wait.async) continue;
      // A pending waitAsync holds no reference on Node's event loop: a thread (a learning
      // thread between batches) whose only work is this wait would end mid-wait.
      const keepAlive = setInterval(() => undefined, 2 ** 30);
      try {
        await wait.value;
      } finally {
        clearInterval(keepAlive);
      }
    }
  }

  release(): void {
    this.releaseHeldBy(threadId);
  }

  /** Frees the lock if thread `id` holds it: for a thread that ended while holding it. */
  releaseHeldBy(id: number): void {
    if (Atomics.compareExchange(this.#word, 0, id + 1, free) === id + 1) Atomics.notify(this.#word, 0);
  }
}
