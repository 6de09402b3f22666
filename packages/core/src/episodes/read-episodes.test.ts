import type { JsonObject, PatternMinerV1 } from '@episodic/plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { type Database, openDatabase } from '../db/database.js';
import { createHistoryProbeMiner } from '../mining/__fixtures__/test-miners.js';
import { boundedSteps, learnedTextChars, readEpisodes } from './read-episodes.js';

/** What a miner was given, per episode id: the text it could read of each step. */
const seen = new Map<string, { action: string; result: string | null }[]>();
const recorder: PatternMinerV1 = {
  ...createHistoryProbeMiner(),
  patternType: 'recorder',
  history: 'none',
  mine: ({ episode }) => {
    seen.set(
      episode.id,
      episode.steps.map((step) => ({ action: step.action, result: step.result ?? null })),
    );
    return [];
  },
};

let store: Awaited<ReturnType<typeof openTempMemory>>;
let db: Database;

beforeAll(async () => {
  store = await openTempMemory({
    miners: [recorder],
    limits: { maxResultChars: 200_000, maxMetadataChars: 100_000 },
  });
  db = await openDatabase({ url: store.url, busyTimeoutMs: 5000, synchronous: 'normal' });
});
afterAll(async () => {
  await db.close();
  await store.close();
});

/** A command's output of `chars` characters that says at its end how it went. */
const output = (step: number, chars: number, ending: string) =>
  `$ pytest tests/test_${step}.py\n${`collected line ${step}\n`.repeat(chars / 20)}`.slice(
    0,
    chars - ending.length,
  ) + ending;

type Logged = { action: string; result: string; success: boolean; metadata?: JsonObject };

async function finished(steps: Logged[]) {
  const episode = await store.memory.episodes.start({
    taskType: 'debugging',
    domain: 'web',
    context: 'fix it',
  });
  for (let i = 0; i < steps.length; i += 20)
    await store.memory.episodes.logSteps(episode.id, steps.slice(i, i + 20));
  await store.memory.episodes.complete(episode.id, { status: 'completed' });
  return episode.id;
}

const textOf = (steps: readonly { action: string; result: string | null; metadata?: JsonObject | null }[]) =>
  steps.reduce(
    (sum, step) =>
      sum +
      step.action.length +
      (step.result?.length ?? 0) +
      (step.metadata ? JSON.stringify(step.metadata).length : 0),
    0,
  );

describe('what the learners read of an episode', () => {
  it('reads an episode within the bound exactly as it was logged', async () => {
    const steps = Array.from({ length: 30 }, (_, i) => ({
      action: `pytest tests/test_${i}.py`,
      result: output(i, 20_000, i === 29 ? 'ValueError: bad value' : '1 passed'),
      success: i !== 29,
      metadata: { arguments: { path: `tests/test_${i}.py`, content: 'x'.repeat(i === 3 ? 50_000 : 10) } },
    }));
    expect(textOf(steps)).toBeLessThan(learnedTextChars);
    const id = await finished(steps);
    const episode = (await readEpisodes(db, [id])).get(id);
    expect(
      episode?.steps.map(({ action, result, success, metadata }) => ({ action, result, success, metadata })),
    ).toEqual(steps);
  });

  it('bounds a longer one: every step kept, its action’s start, its result’s start and end, small metadata', async () => {
    const steps = Array.from({ length: 40 }, (_, i) => ({
      action: `python run_${i}.py ${'--flag '.repeat(20)}`,
      result: output(
        i,
        150_000,
        i % 3 === 0 ? `Traceback (most recent call last):\nValueError: bad value ${i}` : 'ok',
      ),
      success: i % 3 !== 0,
      // A tool call's arguments: small ones are kept, a whole file written is not (cut JSON would not parse).
      metadata: { arguments: { path: `src/run_${i}.py`, content: 'x'.repeat(i === 7 ? 50_000 : 10) } },
    }));
    expect(textOf(steps)).toBeGreaterThan(5 * learnedTextChars);
    const id = await finished(steps);
    const read = (await readEpisodes(db, [id])).get(id)?.steps ?? [];
    expect(read.map((step) => step.stepNumber)).toEqual(steps.map((_, i) => i + 1));
    expect(textOf(read)).toBeLessThanOrEqual(learnedTextChars);
    read.forEach((step, i) => {
      const logged = steps[i]!;
      // Short actions are kept whole; the result's first line says what ran, its last how it ended.
      expect(step.action).toBe(logged.action);
      expect(step.result?.startsWith(`$ pytest tests/test_${i}.py\n`)).toBe(true);
      expect(step.result?.endsWith(i % 3 === 0 ? `ValueError: bad value ${i}` : '\nok')).toBe(true);
      expect(step.success).toBe(logged.success);
      expect(step.metadata).toEqual(i === 7 ? null : logged.metadata);
    });
    // The miners are given the same bounded steps when the episode is learned.
    await store.memory.learning.flush();
    expect(seen.get(id)).toEqual(read.map(({ action, result }) => ({ action, result })));
  });

  it('keeps a share of each step when there are more steps than characters to go round', async () => {
    const steps = Array.from({ length: 700 }, (_, i) => ({
      action: `step ${i} ${'x'.repeat(1500)}`,
      result: 'y'.repeat(1000 + (i % 7)),
      success: true,
    }));
    const id = await finished(steps);
    const read = (await readEpisodes(db, [id])).get(id)?.steps ?? [];
    const share = Math.floor(learnedTextChars / steps.length);
    expect(read).toHaveLength(700);
    expect(textOf(read)).toBeLessThanOrEqual(learnedTextChars);
    for (const step of read) {
      // Action and result each keep half of the step's share: an error is not crowded out.
      expect(step.action).toBe(
        `step ${step.stepNumber - 1} ${'x'.repeat(1500)}`.slice(0, Math.floor(share / 2)),
      );
      expect(step.action.length + (step.result?.length ?? 0)).toBe(share);
    }
  });

  it('cuts the text in SQL, reading steps in index order without sorting them', async () => {
    const statement = boundedSteps('?', ['some-id']);
    const plan = await db.read({ sql: `EXPLAIN QUERY PLAN ${statement.sql}`, args: statement.args });
    const details = plan.rows.map((row) => String(row.detail));
    // The one sort is of each episode's step sizes (numbers) for the level, not of the steps' text.
    expect(details.filter((detail) => detail.includes('TEMP B-TREE'))).toEqual([
      'USE TEMP B-TREE FOR RIGHT PART OF ORDER BY',
    ]);
    expect(details.filter((detail) => detail.includes('idx_steps_episode_number'))).toHaveLength(2);
  });

  it('keeps long outputs among many short steps as much as the short steps leave', async () => {
    const short = Array.from({ length: 1000 }, (_, i) => ({
      action: `edit src/file_${i}.py`,
      result: `edited line ${i} `.repeat(10),
      success: true,
    }));
    const long = (n: number) => ({
      action: `pytest tests/ -k case_${n}`,
      result: output(n, 190_000, `FAILED tests/test_case_${n}.py - AssertionError`),
      success: false,
    });
    const steps = [
      ...short.slice(0, 500),
      long(1),
      long(2),
      long(3),
      ...short.slice(500),
      long(4),
      long(5),
      long(6),
    ];
    expect(textOf(steps)).toBeGreaterThan(learnedTextChars);
    const id = await finished(steps);
    const read = (await readEpisodes(db, [id])).get(id)?.steps ?? [];
    expect(read).toHaveLength(steps.length);
    expect(textOf(read)).toBeLessThanOrEqual(learnedTextChars);
    const shortText = textOf(short);
    read.forEach((step, i) => {
      const logged = steps[i]!;
      if (!logged.action.startsWith('pytest')) {
        expect([step.action, step.result]).toEqual([logged.action, logged.result]);
        return;
      }
      // Each long one keeps a sixth of what the short steps leave (an equal share kept 1,019 characters).
      expect(step.action).toBe(logged.action);
      expect(step.result?.length).toBeGreaterThan((learnedTextChars - shortText) / 6 - 100);
      expect(step.result?.endsWith('AssertionError')).toBe(true);
    });
  });
});
