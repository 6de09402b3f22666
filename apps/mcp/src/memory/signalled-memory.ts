import { untilAborted } from '@episodic/core';
import type { RemoteCallOptions } from '@episodic/sdk';
import type { AgentMemory } from './agent-memory.js';

type Positions = { [N in keyof AgentMemory]: Record<keyof AgentMemory[N], number> };

/**
 * The argument each method takes its `{ signal }` in (the engine's `CallOptions`, last). Typed
 * against `AgentMemory`: a method added there does not compile until it is placed here.
 */
const signalAt = {
  episodes: {
    start: 1,
    logSteps: 2,
    logStep: 2,
    complete: 2,
    archive: 1,
    record: 1,
    get: 1,
    steps: 2,
    list: 1,
  },
  search: { text: 1, retrieve: 1 },
  patterns: { list: 1, get: 1, relevant: 1, recordUsage: 2 },
  learning: { status: 0, flush: 1, retryFailed: 0, retire: 1 },
} satisfies Positions;

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * `memory` with calls that honour their `signal` as `createRemoteMemory`'s do: one whose signal
 * has aborted is not started, and one under way is no longer waited for, rejecting with the
 * signal's reason. For the embedded engine, which runs a call it started to its end: a tool call
 * the client cancelled then makes no further call and does not wait on the store (a slow embedding
 * of its query, a write behind another process's lock, `learning.flush`).
 */
export function honouringSignals(memory: AgentMemory): AgentMemory {
  const namespace = (name: keyof AgentMemory) => {
    const target = memory[name] as unknown as Record<string, Method>;
    const wrapped = Object.entries(signalAt[name]).map(([method, at]) => {
      const run = target[method] as Method;
      const call = (...args: unknown[]) => {
        const signal = (args[at] as RemoteCallOptions | undefined)?.signal;
        if (signal === undefined) return run.apply(target, args);
        if (signal.aborted) return Promise.reject(signal.reason);
        return untilAborted(run.apply(target, args), signal);
      };
      return [method, call] as const;
    });
    return Object.fromEntries(wrapped);
  };
  return {
    episodes: namespace('episodes'),
    search: namespace('search'),
    patterns: namespace('patterns'),
    learning: namespace('learning'),
  } as unknown as AgentMemory;
}
