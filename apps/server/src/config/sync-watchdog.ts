import { Worker } from 'node:worker_threads';

/**
 * Runs in a thread of its own: it says `message` on stderr and kills the process (SIGKILL) unless
 * told to stand down within `ms`. Plain script, evaluated: it loads none of the server's modules.
 */
const watchdogSource = `
const { parentPort, workerData } = require('node:worker_threads');
const timer = setTimeout(() => {
  require('node:fs').writeSync(2, workerData.message + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, workerData.ms);
parentPort.once('message', () => {
  clearTimeout(timer);
  parentPort.close();
});
`;

/**
 * `run()`, this thread watched from another while it runs: a plugin's code that computes without
 * a pause (a loop) holds the event loop, so no timer, deadline or signal handler of this thread
 * can end it; a server started on such a miner never listened, said nothing and ignored SIGTERM.
 * Past `ms`, the watchdog says `message` and kills the process. Only the synchronous part of
 * `run` is watched: what it returns (a promise) is left to the caller's own deadline.
 */
export function watchedSync<T>(ms: number, message: string, run: () => T): T {
  const watchdog = new Worker(watchdogSource, { eval: true, workerData: { ms, message } });
  watchdog.unref();
  try {
    return run();
  } finally {
    watchdog.postMessage('done');
  }
}
