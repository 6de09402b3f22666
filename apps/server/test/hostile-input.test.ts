import { join } from 'node:path';
import { createClient } from '@libsql/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hostileJson,
  hostileNumber,
  mostly,
  plausibleMetadata,
  plausibleText,
  RawJson,
  toWire,
  unknownField,
} from './__fixtures__/hostile-values.js';
import { type ClientTestServer, startTestServer } from './__fixtures__/test-server.js';

/**
 * Hostile input against the running server, over raw HTTP so that anything can be sent: wrong
 * types, unknown fields, NaN and 1e400, lone surrogates, NUL bytes, SQL and FTS syntax,
 * `__proto__` keys, nesting 20,000 deep, megabyte strings, broken JSON. Every call is either
 * stored faithfully (read back equal) or refused with a typed 4xx; never a 5xx, never a stack;
 * nothing is half-written, and the database's integrity check stays `ok`.
 */
const runs = Number(process.env.EPISODIC_FUZZ_RUNS ?? 500);
const seed = Number(process.env.EPISODIC_FUZZ_SEED ?? 20_260_131);
const typedRefusals = new Set([
  'BAD_REQUEST',
  'PARSE_ERROR',
  'NOT_FOUND',
  'FORBIDDEN',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
]);

let t: ClientTestServer;
const logged: string[] = [];
let targetEpisode: string;
const tally = { cases: 0, stored: 0, answered: 0, refused: 0 };
const expected = { episodes: 0, steps: 0 };

interface Answer {
  status: number;
  body: { result?: { data: unknown }; error?: { message: string; data: Record<string, unknown> } };
}

async function call(path: string, body: unknown): Promise<Answer> {
  const res = await fetch(`${t.url}/trpc/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
    body: toWire(body),
  });
  const text = await res.text();
  expect(res.status, `${path} answered ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
  expect(text).not.toMatch(/\bat .*\.(?:js|ts|mjs):\d+|node:internal/);
  const parsed = JSON.parse(text) as Answer['body'];
  if (res.status >= 400) {
    const data = parsed.error?.data ?? {};
    expect(typedRefusals.has(String(data.code)), `${path}: ${text.slice(0, 300)}`).toBe(true);
    expect(data.httpStatus).toBe(res.status);
    expect(data).not.toHaveProperty('stack');
    // A refusal says what is wrong with the input, not what broke inside.
    expect(parsed.error?.message).not.toMatch(
      /call stack|TypeError|RangeError|ReferenceError|SQLITE|LibsqlError/,
    );
    tally.refused += 1;
  }
  return { status: res.status, body: parsed };
}

/** What the server parsed from what was sent: `toWire`, read back as JSON parses it. */
const asServerSees = (value: unknown) => JSON.parse(toWire(value)) as Record<string, unknown>;
const data = <T>(answer: Answer) => answer.body.result?.data as T;

const startInput = fc.record(
  {
    taskType: mostly(fc.constantFrom('debugging', 'testing'), hostileJson),
    domain: mostly(fc.constantFrom('fuzz', 'fuzz-b'), hostileJson),
    context: mostly(fc.option(plausibleText, { nil: undefined }), hostileJson),
    metadata: mostly(fc.option(plausibleMetadata, { nil: undefined }), hostileJson),
    extra: unknownField,
  },
  { requiredKeys: [] },
);

const stepInput = fc.record(
  {
    action: mostly(plausibleText, hostileJson),
    result: mostly(fc.option(plausibleText, { nil: undefined }), hostileJson),
    durationMs: mostly(fc.option(fc.nat(), { nil: undefined }), hostileNumber),
    success: mostly(fc.option(fc.boolean(), { nil: undefined }), hostileJson),
    timestamp: mostly(
      fc.constant(undefined),
      fc.oneof(fc.constantFrom('yesterday', '2026-01-01T00:00:00Z', '-271821-04-20T00:00:00Z'), hostileJson),
    ),
    metadata: mostly(fc.option(plausibleMetadata, { nil: undefined }), hostileJson),
    extra: unknownField,
  },
  { requiredKeys: ['action'] },
);

const maybe = (hostile: fc.Arbitrary<unknown>) => mostly(fc.constant(undefined), hostile);
const limit = mostly(fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }), hostileNumber);
const optional = { requiredKeys: [] as never[] };

/** Each query with the fields it takes, hostile now and then, and sometimes one it does not take. */
const queries = fc.oneof(
  ...(['search.text', 'search.retrieve'] as const).map((path) =>
    fc
      .record(
        {
          text: mostly(plausibleText, hostileJson),
          domain: maybe(hostileJson),
          limit,
          since: maybe(hostileJson),
          extra: unknownField,
        },
        { requiredKeys: ['text'] },
      )
      .map((input) => ({ path, input })),
  ),
  fc
    .record(
      {
        domain: maybe(hostileJson),
        limit,
        cursor: maybe(hostileJson),
        status: maybe(hostileJson),
        extra: unknownField,
      },
      optional,
    )
    .map((input) => ({ path: 'episodes.list', input })),
  fc
    .record(
      { type: maybe(hostileJson), minSuccessRate: maybe(hostileNumber), limit, extra: unknownField },
      optional,
    )
    .map((input) => ({ path: 'patterns.list', input })),
  fc
    .record(
      { text: maybe(hostileJson), minSupport: maybe(hostileNumber), limit, extra: unknownField },
      optional,
    )
    .map((input) => ({ path: 'patterns.relevant', input })),
  fc
    .record(
      {
        since: maybe(hostileJson),
        operation: maybe(hostileJson),
        afterSeq: maybe(hostileNumber),
        limit,
        extra: unknownField,
      },
      optional,
    )
    .map((input) => ({ path: 'admin.audit', input })),
);

type Case =
  | { kind: 'start'; input: unknown }
  | { kind: 'logSteps'; input: unknown }
  | { kind: 'complete'; input: Record<string, unknown> }
  | { kind: 'query'; path: string; input: unknown }
  | { kind: 'raw'; path: string; input: RawJson };

const cases: fc.Arbitrary<Case> = fc.oneof(
  { weight: 3, arbitrary: startInput.map((input) => ({ kind: 'start' as const, input })) },
  {
    weight: 3,
    arbitrary: fc
      .record({
        episodeId: mostly(fc.constant('target'), hostileJson),
        steps: mostly(fc.array(stepInput, { minLength: 1, maxLength: 4 }), hostileJson),
        extra: unknownField,
      })
      .map((input) => ({ kind: 'logSteps' as const, input })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        status: mostly(fc.constantFrom('completed', 'failed'), hostileJson),
        successRate: mostly(
          fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
          hostileNumber,
        ),
        extra: unknownField,
      })
      .map((input) => ({ kind: 'complete' as const, input })),
  },
  {
    weight: 3,
    arbitrary: queries.map(({ path, input }) => ({ kind: 'query' as const, path, input })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        // Not admin.forget: a hostile selector that happens to match would delete what this test counts.
        fc.constantFrom('episodes.get', 'patterns.get', 'patterns.recordUsage', 'episodes.archive'),
        fc.record(
          { episodeId: hostileJson, patternId: hostileJson, helped: hostileJson, metadata: hostileJson },
          { requiredKeys: [] },
        ),
      )
      .map(([path, input]) => ({ kind: 'query' as const, path, input })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'episodes.start',
          'episodes.logSteps',
          'search.text',
          'constructor',
          '__proto__.toString',
          'episodes.__proto__',
        ),
        fc.constantFrom(
          '{',
          'NaN',
          '{"a":1}{',
          '\u0000',
          '[1,2',
          '"\\ud800"',
          '{"taskType":"debugging","domain":"fuzz",}',
        ),
      )
      .map(([path, text]) => ({ kind: 'raw' as const, path, input: new RawJson(text) })),
  },
);

async function stepCount(episodeId: string): Promise<number> {
  const answer = await call('episodes.get', { episodeId });
  return data<{ steps: unknown[] }>(answer).steps.length;
}

async function check(testCase: Case): Promise<void> {
  tally.cases += 1;
  switch (testCase.kind) {
    case 'start': {
      const answer = await call('episodes.start', testCase.input);
      if (answer.status !== 200) return;
      const sent = asServerSees(testCase.input);
      const episode = data<{ id: string }>(answer);
      const read = data<Record<string, unknown>>(await call('episodes.get', { episodeId: episode.id }));
      expect(read).toMatchObject({
        taskType: sent.taskType,
        // A domain is read composed (NFC): `café` typed either way is one domain.
        domain: typeof sent.domain === 'string' ? sent.domain.normalize('NFC') : sent.domain,
        context: sent.context ?? null,
        status: 'active',
      });
      expect(read.metadata).toEqual(sent.metadata ?? null);
      expected.episodes += 1;
      tally.stored += 1;
      return;
    }
    case 'logSteps': {
      const input = testCase.input as Record<string, unknown>;
      const sentInput = input.episodeId === 'target' ? { ...input, episodeId: targetEpisode } : input;
      const before = await stepCount(targetEpisode);
      const answer = await call('episodes.logSteps', sentInput);
      const after = await stepCount(targetEpisode);
      if (answer.status !== 200) return void expect(after).toBe(before); // nothing half-written
      const sent = asServerSees(sentInput).steps as Record<string, unknown>[];
      expect(after).toBe(before + sent.length);
      const read = data<{ steps: Record<string, unknown>[] }>(
        await call('episodes.get', { episodeId: targetEpisode }),
      ).steps.slice(-sent.length);
      read.forEach((step, i) => {
        const given = sent[i] as Record<string, unknown>;
        expect(step).toMatchObject({
          action: given.action,
          result: given.result ?? null,
          success: given.success ?? null,
        });
        expect(step.durationMs).toBe(typeof given.durationMs === 'number' ? given.durationMs + 0 : null);
        expect(step.metadata).toEqual(given.metadata ?? null);
      });
      expected.steps += sent.length;
      tally.stored += 1;
      return;
    }
    case 'complete': {
      const fresh = data<{ id: string }>(
        await call('episodes.start', { taskType: 'testing', domain: 'fuzz' }),
      );
      expected.episodes += 1;
      const answer = await call('episodes.complete', { ...testCase.input, episodeId: fresh.id });
      const read = data<Record<string, unknown>>(await call('episodes.get', { episodeId: fresh.id }));
      if (answer.status !== 200)
        return void expect(read).toMatchObject({ status: 'active', completedAt: null });
      const sent = asServerSees(testCase.input);
      expect(read.status).toBe(sent.status);
      if (typeof sent.successRate === 'number') expect(read.successRate).toBe(sent.successRate);
      tally.stored += 1;
      return;
    }
    case 'query':
    case 'raw': {
      const answer = await call(testCase.path, testCase.input);
      if (answer.status === 200) tally.answered += 1;
      return;
    }
  }
}

beforeAll(async () => {
  t = await startTestServer({ log: (line) => logged.push(line) });
  targetEpisode = data<{ id: string }>(
    await call('episodes.start', { taskType: 'testing', domain: 'fuzz' }),
  ).id;
  expected.episodes += 1;
});

afterAll(async () => {
  await t?.close();
});

describe('hostile input over HTTP', () => {
  it('is stored faithfully or refused with a typed 4xx, and leaves the database sound', async () => {
    await fc.assert(fc.asyncProperty(cases, check), { numRuns: runs, seed, endOnFailure: true });
    const polluted = ({} as Record<string, unknown>).polluted;
    expect(polluted).toBeUndefined();
    expect(logged.filter((line) => /internal error/.test(line))).toEqual([]);

    const raw = createClient({ url: `file:${join(t.dir, 'memory.db')}` });
    try {
      expect((await raw.execute('PRAGMA integrity_check')).rows.map((row) => row.integrity_check)).toEqual([
        'ok',
      ]);
      const counts = (
        await raw.execute(
          'SELECT (SELECT count(*) FROM episodes) AS episodes, (SELECT count(*) FROM steps) AS steps',
        )
      ).rows[0];
      expect({ episodes: Number(counts?.episodes), steps: Number(counts?.steps) }).toEqual(expected);
    } finally {
      raw.close();
    }
    console.info(
      `hostile input over HTTP: ${tally.cases} cases (seed ${seed}): ${tally.stored} stored faithfully, ` +
        `${tally.answered} queries answered, ${tally.refused} calls refused with a typed 4xx`,
    );
  }, 300_000); // took 121 s with a second copy of the suite running on the same 2 cores
});
