// The learning thread: opens the store with its own connection and runs the learners, so the
// embedder's and the miners' CPU work never holds the event loop that answers requests.
import { parentPort, workerData } from 'node:worker_threads';
import { EpisodicError, joinWriteLocks, type Memory } from '@episodic/core';
import { placePlugin } from '../config/load-plugins.js';
import { makePlugin } from '../config/make-plugin.js';
import { heapSpaces } from '../http/heap-spaces.js';
import {
  beatMs,
  type LearningThreadCall,
  type LearningThreadData,
  type LearningThreadMessage,
  type MinerCall,
} from './learning-thread-protocol.js';
import { openStore } from './open-store.js';
import { watchedMiner } from './watched-miner.js';

if (parentPort === null) throw new Error('learning-thread-entry runs only as a worker thread');
const port = parentPort;
const send = (message: LearningThreadMessage) => port.postMessage(message);

async function answer(memory: Memory, request: LearningThreadCall) {
  switch (request.call) {
    case 'status':
      return memory.learning.status();
    case 'flush':
      return memory.learning.flush(request.input);
    case 'retryFailed':
      return memory.learning.retryFailed();
    case 'memory': {
      const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
      return { heapUsed, heapTotal, external, arrayBuffers, spaces: heapSpaces() };
    }
    case 'close':
      await memory.close();
      return null;
  }
}

let memory: Memory | null = null;
try {
  const { config, plugins, writeLocks, skip } = workerData as LearningThreadData;
  joinWriteLocks(writeLocks);
  // Each plugin's place was left empty for this thread's own.
  for (const { path, recipe } of plugins)
    placePlugin(config as unknown as Record<string, unknown>, path, await makePlugin(recipe));
  const watch = {
    skip,
    started: (call: MinerCall) => send({ started: call }),
    settled: (call: MinerCall) => send({ settled: call }),
  };
  memory = await openStore(config, { learning: true, wrapMiner: (miner) => watchedMiner(miner, watch) });
  send({ opened: true });
  // Unref'd: the port keeps the thread alive while it serves, and a closed port lets it end.
  setInterval(() => send({ beat: true }), beatMs).unref();
} catch (error) {
  send({ opened: false, message: (error as Error)?.message ?? String(error) });
  port.close();
}
if (memory !== null) listen(memory);

function listen(memory: Memory): void {
  port.on('message', (request: LearningThreadCall) => {
    answer(memory, request).then(
      (value) => {
        send({ id: request.id, value });
        if (request.call === 'close') port.close();
      },
      (error: unknown) =>
        send({
          id: request.id,
          error: {
            code: EpisodicError.isInstance(error) ? error.code : null,
            message: (error as Error)?.message ?? String(error),
          },
        }),
    );
  });
}
