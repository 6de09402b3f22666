import type { PatternMinerV1 } from '@episodic/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import type { Logger } from '../logger.js';
import type { StepInput } from '../schemas/input-schemas.js';
import { createActionPairMiner, createHistoryProbeMiner } from './__fixtures__/test-miners.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const read = (action: string): StepInput => ({ action, success: true, durationMs: 100 });

/** A miner that misbehaves on episodes whose context names it, and mines nothing on the others. */
function misbehaving(patternType: string, onTrigger: () => unknown): PatternMinerV1 {
  return {
    ...createHistoryProbeMiner(),
    patternType,
    history: 'none',
    mine: ({ episode }) =>
      (episode.context?.includes('TRIGGER') ? onTrigger() : []) as ReturnType<PatternMinerV1['mine']>,
  };
}

async function open(miner: PatternMinerV1, learning: Record<string, number> = {}) {
  const warnings: string[] = [];
  const logger: Logger = { warn: (message) => warnings.push(message) };
  const store = await openTempMemory({
    miners: [miner, createActionPairMiner()],
    logger,
    learning: { maxAttempts: 1, ...learning },
  });
  cleanups.push(() => store.close());
  const complete = async (context: string) => {
    const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web', context });
    await store.memory.episodes.logSteps(episode.id, [read('read_file'), read('edit_file')]);
    await store.memory.episodes.complete(episode.id, { status: 'completed' });
    return episode.id;
  };
  /** Episodes the other miner linked a pattern to. */
  const linked = async () =>
    (await store.memory.patterns.list({ type: 'action_pair' })).items[0]?.support ?? 0;
  return { store, warnings, complete, linked };
}

describe('a miner that breaks its contract at run time', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a value of type object', { data: {} }],
  ])(
    'reports a miner whose mine() returns %s, and keeps the other miners’ patterns',
    async (shown, result) => {
      const { store, warnings, complete, linked } = await open(misbehaving('nullish', () => result));
      const odd = await complete('TRIGGER please');
      await complete('normal');
      expect(await store.memory.learning.flush()).toMatchObject({ pending: 0, failed: 0 });
      expect(await linked()).toBe(2);
      expect(warnings).toEqual([
        `episodic: miner nullish failed on episode ${odd}: mine() returned ${shown}, not an array of candidates`,
      ]);
    },
  );
});

describe('a miner whose mine() never settles', () => {
  let entered: () => void = () => undefined;
  const inside = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const hangs = () =>
    misbehaving('hangs', () => {
      entered();
      return new Promise(() => undefined);
    });

  it('is reported and left out for that episode once its deadline passes; the batch and the other miners go on', async () => {
    let sawAbort: unknown;
    const miner: PatternMinerV1 = {
      ...hangs(),
      // A cooperative miner is told through its signal when the deadline passes.
      mine: ({ episode, signal }) =>
        episode.context?.includes('TRIGGER')
          ? new Promise((_, reject) =>
              signal?.addEventListener('abort', () => {
                sawAbort = signal.reason;
                reject(signal.reason);
              }),
            )
          : [],
    };
    const { store, warnings, complete, linked } = await open(miner, { mineTimeoutMs: 300 });
    const hung = await complete('TRIGGER and wait');
    await complete('normal');
    expect(await store.memory.learning.flush({ timeoutMs: 20_000 })).toMatchObject({ pending: 0, failed: 0 });
    expect(await linked()).toBe(2);
    expect(warnings).toEqual([
      `episodic: miner hangs failed on episode ${hung}: mine() did not settle within 300 ms (learning.mineTimeoutMs)`,
    ]);
    expect(sawAbort).toBeInstanceOf(TypeError);
  });

  it('does not hold up close(): the store stops waiting for it at once', async () => {
    const { store, complete } = await open(hangs());
    await complete('TRIGGER and wait');
    await inside; // the learner is in the hung call, 30 s (the default deadline) from giving up on it
    const waited = new Promise((resolve) => setTimeout(resolve, 10_000, 'still closing after 10 s'));
    expect(await Promise.race([store.memory.close().then(() => 'closed'), waited])).toBe('closed');
  });
});

describe('a miner whose asynchronous dataSchema never settles', () => {
  it('is reported and left out once the mining deadline passes; the other miners go on', async () => {
    // The Standard Schema contract lets validate() return a promise: one that never settled held
    // every episode's mining, with nothing logged.
    const base = misbehaving('deaf_schema', () => [{ data: { action: 'x' }, success: true }]);
    const miner: PatternMinerV1 = {
      ...base,
      dataSchema: {
        '~standard': { version: 1, vendor: 'test', validate: () => new Promise(() => undefined) },
      },
    };
    const { store, warnings, complete, linked } = await open(miner, { mineTimeoutMs: 300 });
    const stuck = await complete('TRIGGER and wait');
    await complete('normal');
    expect(await store.memory.learning.flush({ timeoutMs: 20_000 })).toMatchObject({ pending: 0, failed: 0 });
    expect(await linked()).toBe(2);
    expect(warnings).toEqual([
      `episodic: miner deaf_schema failed on episode ${stuck}: dataSchema validation did not settle within 300 ms (learning.mineTimeoutMs)`,
    ]);
  });
});
