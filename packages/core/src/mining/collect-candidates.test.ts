import {
  maxCandidatesPerMine,
  maxPatternDataChars,
  type PatternMinerV1,
  type StandardSchemaV1,
} from '@episodic/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from './__fixtures__/test-miners.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Takes any data as it is, so the engine's own checks are what a candidate meets. */
const anyData: StandardSchemaV1<unknown, unknown> = {
  '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value }) },
};

function miner(patternType: string, mine: PatternMinerV1['mine'], describe?: PatternMinerV1['describe']) {
  return {
    specificationVersion: 'v1',
    patternType,
    dataSchema: anyData,
    history: 'none',
    mine,
    describe,
  } as const;
}

async function mineOne(miners: PatternMinerV1[]) {
  const warnings: string[] = [];
  const store = await openTempMemory({
    miners: [...miners, createActionPairMiner()],
    logger: { warn: (message) => warnings.push(message) },
    // A batch that fails is failed at once, not retried for minutes.
    learning: { maxAttempts: 1 },
  });
  cleanups.push(() => store.close());
  const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
  await store.memory.episodes.logSteps(episode.id, [{ action: 'read_file' }, { action: 'edit_file' }]);
  await store.memory.episodes.complete(episode.id, { status: 'completed' });
  const status = await store.memory.learning.flush();
  return { memory: store.memory, status, warnings: warnings.join('\n') };
}

describe("a miner's failures in learning.status()", () => {
  it('are counted by miner, with the newest named, where the queue shows none', async () => {
    const { memory, status } = await mineOne([
      miner('thrower', () => {
        throw new Error('index out of range');
      }),
      miner('bad_candidate', () => [null as never]),
    ]);
    // Its episode counts as learned: nothing is pending or failed in the queue.
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    const [episode] = (await memory.episodes.list()).items;
    const { partFailures } = status.learners.mining ?? {};
    expect(partFailures).toEqual({
      thrower: {
        count: 1,
        last: { episodeId: episode?.id, error: 'index out of range', at: expect.any(String) },
      },
      bad_candidate: {
        count: 1,
        last: {
          episodeId: episode?.id,
          error: 'invalid candidate #0: it is null, not an object { data, success }',
          at: expect.any(String),
        },
      },
    });
    expect(status.learners.embeddings?.partFailures ?? {}).toEqual({});
  });
});

describe('a miner breaking the contract', () => {
  it('that throws something other than an Error is left out, named as it threw, and the others count', async () => {
    const { memory, status, warnings } = await mineOne([
      miner('throws_null', () => {
        throw null;
      }),
      miner('throws_text', () => {
        throw 'no history yet';
      }),
    ]);
    // A thrown null failed the whole batch: every miner's patterns lost, the row failed at last.
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    expect((await memory.patterns.list({ type: 'action_pair' })).items).toHaveLength(1);
    expect(warnings).toMatch(/miner throws_null failed on episode \S+: it threw null, not an Error/);
    expect(warnings).toMatch(
      /miner throws_text failed on episode \S+: it threw "no history yet", not an Error/,
    );
  });

  it('is told where in its data a value JSON cannot hold sits, and what describe() gave instead of text', async () => {
    const { warnings } = await mineOne([
      miner('big_number', () => [{ data: { count: 1n }, success: true }]),
      miner(
        'no_text',
        () => [{ data: { a: 1 }, success: true }],
        () => 42 as never,
      ),
    ]);
    // The path was the data's place in the hashed tuple: `(data).3.count`.
    expect(warnings).toMatch(/big_number returned an invalid candidate #0 .*: \(data\)\.count is a bigint/);
    expect(warnings).toMatch(
      /no_text returned an invalid candidate #0 .*: describe\(\) returned a value of type number/,
    );
  });

  it('is left out, said, when a candidate says success or perTaskType other than as a boolean, or is not an object', async () => {
    const { memory, status, warnings } = await mineOne([
      miner('loose_flags', ({ episode }) => [
        // A step's unknown outcome passed on as it is: it was stored as a failure.
        { data: { kind: 'null' }, success: episode.steps[0]?.success as boolean },
        { data: { kind: 'text' }, success: 'true' as never },
        { data: { kind: 'missing' } } as never,
        { data: { kind: 'per task type' }, success: true, perTaskType: 1 as never },
        { data: { kind: 'right' }, success: false, perTaskType: true },
        null as never,
      ]),
    ]);
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    expect(warnings).toMatch(
      /loose_flags returned an invalid candidate #0 .*: success is null, not a boolean/,
    );
    expect(warnings).toMatch(/candidate #1 .*: success is a string, not a boolean/);
    expect(warnings).toMatch(/candidate #2 .*: success is undefined, not a boolean/);
    expect(warnings).toMatch(/candidate #3 .*: perTaskType is a number, not a boolean/);
    // It said "Cannot read properties of null (reading 'success')".
    expect(warnings).toMatch(/candidate #5 .*: it is null, not an object \{ data, success \}/);
    const stored = (await memory.patterns.list({ type: 'loose_flags' })).items;
    expect(
      stored.map(({ patternData, support, successes, taskType }) => ({
        patternData,
        support,
        successes,
        taskType,
      })),
    ).toEqual([{ patternData: { kind: 'right' }, support: 1, successes: 0, taskType: 'debugging' }]);
  });

  it('is left out when it returns more candidates, or larger data, than the contract allows', async () => {
    const { memory, status, warnings } = await mineOne([
      miner('too_many', () =>
        Array.from({ length: maxCandidatesPerMine + 1 }, (_, i) => ({ data: { i }, success: true })),
      ),
      miner('too_large', () => [
        { data: { text: 'x'.repeat(maxPatternDataChars) }, success: true },
        { data: { text: 'small' }, success: true },
      ]),
      // A cycle in the data: it overflowed the stack ("Maximum call stack size exceeded").
      miner('cyclic', () => {
        const data: Record<string, unknown> = {};
        data.self = data;
        return [{ data, success: true }];
      }),
    ]);
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    expect(warnings).toMatch(
      /miner too_many failed on episode \S+: mine\(\) returned 10001 candidates, more than the 10000 allowed/,
    );
    expect((await memory.patterns.list({ type: 'too_many' })).items).toEqual([]);
    expect(warnings).toMatch(
      /too_large returned an invalid candidate #0 .*: data is 65547 characters as JSON, more than the 65536 allowed/,
    );
    expect(
      (await memory.patterns.list({ type: 'too_large' })).items.map((pattern) => pattern.patternData),
    ).toEqual([{ text: 'small' }]);
    expect(warnings).toMatch(
      /cyclic returned an invalid candidate #0 .*: \(data\)\.self is one of the values it sits in/,
    );
    expect((await memory.patterns.list({ type: 'action_pair' })).items).toHaveLength(1);
  });

  it('has its summary stored as it will be read back: no NUL, no half of an emoji', async () => {
    const long = `${'x'.repeat(999)}😀 and more`;
    const { memory } = await mineOne([
      miner(
        'nul_summary',
        () => [{ data: { a: 1 }, success: true }],
        () => 'before\u0000after \uD800',
      ),
      miner(
        'long_summary',
        () => [{ data: { a: 1 }, success: true }],
        () => long,
      ),
    ]);
    const [nul] = (await memory.patterns.list({ type: 'nul_summary' })).items;
    // The driver cut the text at the NUL: "before".
    expect(nul?.summary).toBe('before\uFFFDafter \uFFFD');
    const [clipped] = (await memory.patterns.list({ type: 'long_summary' })).items;
    // Clipped at 1,000 through the emoji, the half left came back as U+FFFD.
    expect(clipped?.summary).toBe('x'.repeat(999));
  });
});
