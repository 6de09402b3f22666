import { startTestServer, type TestServer } from '@episodic/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEpisodicClient, type EpisodicClient, EpisodicClientError, TRPCClientError } from './index.js';

let t: TestServer;
let token: string;

beforeAll(async () => {
  t = await startTestServer();
  token = await t.token({ name: 'agent', domains: ['web'] });
});
afterAll(async () => {
  await t.close();
});

const quiet = { flushIntervalMs: 60_000 };
const stepCount = async (client: EpisodicClient, episodeId: string) =>
  (await client.episodes.get.query({ episodeId })).steps.length;

describe('createEpisodicClient', () => {
  it('records an episode step by step and reads it back', async () => {
    const client = createEpisodicClient({ url: t.url, token });
    const episode = await client.startEpisode({
      taskType: 'debugging',
      domain: 'web',
      context: 'login fails on Safari',
    });
    const ids = [
      episode.step({
        action: 'reproduce in Safari',
        result: 'TypeError: undefined is not a function',
        success: false,
      }),
      episode.step({ action: 'add polyfill', durationMs: 1200, success: true }),
      episode.step({
        action: 'rerun e2e suite',
        result: '42 passed',
        success: true,
        metadata: { suite: 'e2e' },
      }),
    ];
    const completed = await episode.complete({ status: 'completed', successRate: 0.67 });
    expect(completed).toMatchObject({ id: episode.id, status: 'completed', successRate: 0.67 });

    const stored = await client.episodes.get.query({ episodeId: episode.id });
    expect(stored.steps.map((step) => [step.id, step.stepNumber, step.action])).toEqual([
      [ids[0], 1, 'reproduce in Safari'],
      [ids[1], 2, 'add polyfill'],
      [ids[2], 3, 'rerun e2e suite'],
    ]);
    expect(stored.steps[2]?.metadata).toEqual({ suite: 'e2e' });
    const found = await client.search.text.query({ text: 'polyfill' });
    expect(found.map((hit) => hit.episode.id)).toEqual([episode.id]);
  });

  it('sends steps when the batch is full, without waiting for the timer', async () => {
    const client = createEpisodicClient({ url: `${t.url}/trpc/`, token, steps: { ...quiet, maxBatch: 3 } });
    const episode = await client.startEpisode({ taskType: 'testing', domain: 'web' });
    episode.step({ action: 'one' });
    episode.step({ action: 'two' });
    expect(episode.pending).toBe(2);
    episode.step({ action: 'three' });
    await expect.poll(() => stepCount(client, episode.id), { timeout: 30_000 }).toBe(3);
    expect(episode.pending).toBe(0);
  });

  it('sends a lone step after the flush interval', async () => {
    const client = createEpisodicClient({ url: t.url, token, steps: { flushIntervalMs: 50 } });
    const episode = await client.startEpisode({ taskType: 'testing', domain: 'web' });
    episode.step({ action: 'only step' });
    expect(episode.pending).toBe(1);
    await expect.poll(() => stepCount(client, episode.id), { timeout: 30_000 }).toBe(1);
  });

  it('sends what is left on complete, and takes no step after it', async () => {
    const client = createEpisodicClient({ url: t.url, token, steps: quiet });
    const episode = await client.startEpisode({ taskType: 'testing', domain: 'web' });
    for (let i = 0; i < 120; i += 1) episode.step({ action: `step ${i}` });
    await episode.complete({ status: 'failed' });
    const stored = await client.episodes.get.query({ episodeId: episode.id });
    expect(stored.status).toBe('failed');
    expect(stored.steps.map((step) => step.stepNumber)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    const late = (() => {
      try {
        episode.step({ action: 'too late' });
      } catch (error) {
        return error;
      }
    })();
    expect(EpisodicClientError.isInstance(late) && late.code).toBe('EPISODE_CLOSED');
  });

  it('stores valid steps too large for one request, sent in batches within the body limit', async () => {
    const client = createEpisodicClient({ url: t.url, token });
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    // 60,000 characters (under maxResultChars) of 3 bytes each: 50 such steps are ~9 MB, over the server's 8 MiB.
    const result = '界'.repeat(60_000);
    for (let i = 0; i < 50; i += 1) episode.step({ action: `read_file part ${i}`, result, success: true });
    expect((await episode.complete({ status: 'completed' })).status).toBe('completed');
    expect(await stepCount(client, episode.id)).toBe(50);
  });

  it('sends a batch the server refuses as too large again in halves, and loses no step', async () => {
    // A cap above the server's body limit, as with a server configured below the SDK's default;
    // no batch is full before flush(), which sends all 50 steps (~9 MB) at once.
    const steps = { ...quiet, maxBatch: 100, maxBatchBytes: 64 * 2 ** 20 };
    const client = createEpisodicClient({ url: t.url, token, steps });
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    const result = '界'.repeat(60_000);
    const ids = Array.from({ length: 50 }, (_, i) => episode.step({ action: `read_file part ${i}`, result }));
    const stored = await episode.flush();
    expect(stored.map((step) => [step.id, step.stepNumber])).toEqual(ids.map((id, i) => [id, i + 1]));
  });

  it('reports a refused batch with the field paths and keeps sending later steps', async () => {
    const client = createEpisodicClient({ url: t.url, token, steps: quiet });
    const episode = await client.startEpisode({ taskType: 'testing', domain: 'web' });
    episode.step({ action: '' });
    const error = await episode.flush().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({
      code: 'BAD_REQUEST',
      issues: [{ path: 'steps.0.action' }],
    });
    episode.step({ action: 'valid' });
    expect((await episode.flush()).map((step) => step.action)).toEqual(['valid']);
  });

  it('sends on the valid steps of a refused batch, dropping only the refused ones', async () => {
    // One bad step dropped its whole batch: 49 valid steps were lost with it.
    const client = createEpisodicClient({ url: t.url, token, steps: quiet });
    const episode = await client.startEpisode({ taskType: 'testing', domain: 'web' });
    const ids = Array.from({ length: 60 }, (_, i) =>
      episode.step({ action: i === 55 || i === 57 ? '' : `step ${i + 1}` }),
    );
    const error = await episode.flush().catch((caught: unknown) => caught);
    expect((error as TRPCClientError<never>).data).toMatchObject({
      code: 'BAD_REQUEST',
      // The batch's second: steps 51–60 went as one batch of ten.
      issues: [{ path: 'steps.5.action' }, { path: 'steps.7.action' }],
    });
    expect(episode.pending).toBe(0);
    // Which of the handle's steps those were: the ids step() returned, counted as recorded.
    expect(episode.refused).toEqual([
      { id: ids[55], index: 55, issues: [{ path: 'action', message: expect.any(String) }] },
      { id: ids[57], index: 57, issues: [{ path: 'action', message: expect.any(String) }] },
    ]);
    const stored = await client.episodes.get.query({ episodeId: episode.id });
    expect(stored.steps.map((step) => step.action)).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 1)
        .filter((n) => n !== 56 && n !== 58)
        .map((n) => `step ${n}`),
    );
  });

  it('lists every step of a batch refused as a whole (its episode completed elsewhere) in refused', async () => {
    const client = createEpisodicClient({ url: t.url, token, steps: quiet });
    const episode = await client.startEpisode({ taskType: 'testing', domain: 'web' });
    await client.episodes.complete.mutate({ episodeId: episode.id, status: 'completed' });
    const ids = [episode.step({ action: 'late one' }), episode.step({ action: 'late two' })];
    const error = await episode.flush().catch((caught: unknown) => caught);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'CONFLICT' });
    expect(episode.pending).toBe(0);
    expect(
      episode.refused.map(({ id, index, issues }) => ({ id, index, paths: issues.map((i) => i.path) })),
    ).toEqual([
      { id: ids[0], index: 0, paths: [''] },
      { id: ids[1], index: 1, paths: [''] },
    ]);
  });

  it('reports a refusal of a batch sent in the background to onError, or else to the next flush', async () => {
    const errors: unknown[] = [];
    const reported = createEpisodicClient({
      url: t.url,
      token,
      steps: { maxBatch: 1, onError: (error) => errors.push(error) },
    });
    const first = await reported.startEpisode({ taskType: 'testing', domain: 'web' });
    first.step({ action: '' });
    await expect.poll(() => errors.length, { timeout: 30_000 }).toBe(1);
    expect((errors[0] as TRPCClientError<never>).data).toMatchObject({ code: 'BAD_REQUEST' });

    const unreported = createEpisodicClient({ url: t.url, token, steps: { maxBatch: 1 } });
    const second = await unreported.startEpisode({ taskType: 'testing', domain: 'web' });
    second.step({ action: '' });
    await expect.poll(() => second.pending, { timeout: 30_000 }).toBe(0);
    const error = await second.flush().catch((caught: unknown) => caught);
    expect((error as TRPCClientError<never>).data).toMatchObject({
      code: 'BAD_REQUEST',
      issues: [{ path: 'steps.0.action' }],
    });
    await expect(second.flush()).resolves.toEqual([]);
  });

  it('refuses what the token may not do, as the server says', async () => {
    const client = createEpisodicClient({ url: t.url, token });
    const error = await client
      .startEpisode({ taskType: 'testing', domain: 'ops' })
      .catch((caught: unknown) => caught);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
    const anonymous = createEpisodicClient({ url: t.url, token: 'ep_nope' });
    const unauthorized = await anonymous.episodes.list.query({}).catch((caught: unknown) => caught);
    expect((unauthorized as TRPCClientError<never>).data).toMatchObject({
      code: 'UNAUTHORIZED',
      httpStatus: 401,
    });
  });

  it('refuses a missing token or a url without a scheme when created, naming the option', async () => {
    const created = (options: { url: unknown; token: unknown }) => {
      try {
        createEpisodicClient(options as { url: string; token: string });
      } catch (error) {
        return error;
      }
      return 'created';
    };
    // `process.env.EPISODIC_TOKEN!` of an unset variable went out as `Bearer undefined`.
    for (const [options, field] of [
      [{ url: t.url, token: undefined }, 'token: '],
      [{ url: t.url, token: '  ' }, 'token: '],
      [{ url: t.url, token: 'ep_a\nb' }, 'token: '],
      [{ url: '127.0.0.1:7777', token }, 'url: '],
      [{ url: 'ftp://127.0.0.1', token }, 'url: '],
    ] as const) {
      const error = created(options);
      expect(EpisodicClientError.isInstance(error) && error.code).toBe('INVALID_OPTIONS');
      expect((error as Error).message.startsWith(field)).toBe(true);
    }
    // A token read from a file with its newline works as itself.
    const client = createEpisodicClient({ url: t.url, token: `${token}\n` });
    await expect(client.episodes.list.query({})).resolves.toMatchObject({ items: expect.any(Array) });
  });

  it('sends queries whose input would not fit in a URL', async () => {
    const client = createEpisodicClient({ url: t.url, token });
    const episode = await client.startEpisode({
      taskType: 'analysis',
      domain: 'web',
      context: 'needle in a haystack',
    });
    const text = `${'haystack '.repeat(4000)}needle`;
    const hits = await client.search.text.query({ text });
    expect(hits.map((hit) => hit.episode.id)).toContain(episode.id);
  });

  it('batches calls made in the same tick into one HTTP request', async () => {
    const client = createEpisodicClient({ url: t.url, token });
    const requests = async () =>
      Number(
        /episodic_http_requests_total\{route="trpc",status="200"\} (\d+)/.exec(
          await (await fetch(`${t.url}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    const before = await requests();
    await Promise.all([
      client.episodes.list.query({}),
      client.patterns.list.query({}),
      client.search.text.query({ text: 'x' }),
    ]);
    expect(await requests()).toBe(before + 1);
  });

  it('lists episodes started in one request newest first: the ids it chose sort as they began', async () => {
    const client = createEpisodicClient({ url: t.url, token });
    const contexts = Array.from({ length: 20 }, (_, i) => `same request ${i}`);
    // One request, one tick: the server stamps many of them with the same millisecond, and
    // `episodes.list` then orders them by id.
    await Promise.all(
      contexts.map((context) =>
        client.episodes.start.mutate({ taskType: 'debugging', domain: 'web', context }),
      ),
    );
    const { items } = await client.episodes.list.query({ domain: 'web', limit: 100 });
    const listed = items.flatMap((item) => (contexts.includes(item.context ?? '') ? [item.context] : []));
    expect(listed).toEqual(contexts.toReversed());
  });

  it('retrieves past episodes with why they ranked, and reports which mined pattern helped', async () => {
    const client = createEpisodicClient({ url: t.url, token });
    for (let run = 0; run < 3; run += 1) {
      const past = await client.startEpisode({
        taskType: 'debugging',
        domain: 'web',
        context: `Cart total is NaN after coupon (run ${run})`,
      });
      past.step({ action: 'run_tests', result: 'AssertionError: expected NaN to equal 42', success: false });
      past.step({ action: 'edit_file', result: 'parse the coupon amount as a number', success: true });
      past.step({ action: 'run_tests', result: '42 passed', success: true });
      await past.complete({ status: 'completed', successRate: 1 });
    }

    const found = await client.search.retrieve.query({
      text: 'cart total NaN coupon',
      domain: 'web',
      limit: 5,
    });
    expect(found.signals).toMatchObject({ text: { used: true }, vector: { used: true } });
    expect(found.episodes.length).toBeGreaterThanOrEqual(3);
    for (const { episode, score, why } of found.episodes.slice(0, 3)) {
      expect(episode.context).toMatch(/Cart total is NaN after coupon/);
      const parts = [
        why.text?.contribution ?? 0,
        why.vector?.contribution ?? 0,
        why.expansion?.contribution ?? 0,
        why.proximity?.contribution ?? 0,
        why.time?.contribution ?? 0,
        why.recency.contribution,
        why.outcome.contribution,
      ];
      expect(score).toBeCloseTo(
        parts.reduce((sum, part) => sum + part, 0),
        9,
      );
    }
    // An agent's own episode (here: the best match) can be left out over the wire.
    const bestMatch = found.episodes[0]!.episode.id;
    const without = await client.search.retrieve.query({
      text: 'cart total NaN coupon',
      domain: 'web',
      limit: 5,
      exclude: [bestMatch],
    });
    expect(without.episodes.map(({ episode }) => episode.id)).not.toContain(bestMatch);
    expect(without.episodes.length).toBeGreaterThanOrEqual(2);

    // Patterns are mined in the background: wait for the queue, as a script would.
    await createEpisodicClient({ url: t.url, token: t.adminToken }).learning.flush.mutate({});
    const relevant = await client.patterns.relevant.query({
      text: 'run_tests AssertionError NaN',
      domain: 'web',
      taskType: 'debugging',
    });
    expect(relevant.length).toBeGreaterThan(0);
    const best = relevant[0]!;
    expect(best.pattern.support).toBeGreaterThanOrEqual(2);
    expect(best.episodeIds.length).toBeGreaterThanOrEqual(2);
    const now = await client.startEpisode({
      taskType: 'debugging',
      domain: 'web',
      context: 'Cart total NaN again',
    });
    const used = await client.patterns.recordUsage.mutate({
      patternId: best.pattern.id,
      episodeId: now.id,
      helped: true,
    });
    expect(used).toMatchObject({
      id: best.pattern.id,
      usageCount: best.pattern.usageCount + 1,
      helpedCount: best.pattern.helpedCount + 1,
    });
    expect(used.lastUsed).not.toBeNull();
  });

  it('subscribes to live episode events with the same token', async () => {
    const client = createEpisodicClient({ url: t.url, token });
    const events: { type: string; domain: string }[] = [];
    let started!: () => void;
    const opened = new Promise<void>((resolve) => (started = resolve));
    const subscription = client.events.onEpisode.subscribe(undefined, {
      onStarted: () => started(),
      onData: (event) => events.push(event),
    });
    await opened;
    const episode = await client.startEpisode({ taskType: 'analysis', domain: 'web' });
    episode.step({ action: 'profile' });
    await episode.complete({ status: 'completed' });
    await expect
      .poll(() => events.map((event) => event.type), { timeout: 30_000 })
      .toEqual(['started', 'steps', 'completed']);
    subscription.unsubscribe();
  });
});
