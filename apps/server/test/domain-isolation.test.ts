import { newId } from '@episodic/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/events/event-bus.js';
import { createAppRouter } from '../src/router.js';
import { recordEvents } from './__fixtures__/event-recorder.js';
import {
  rejection,
  startTestServer,
  type TestClient,
  type ClientTestServer as TestServer,
} from './__fixtures__/test-server.js';

/**
 * A token for domain "alpha" against data of domain "beta", through every procedure the server
 * has. Each check asserts what the caller gets back holds nothing of beta, and the first test
 * fails when a procedure is added without a check here. The data goes in through the API and
 * the server's default composition: local embeddings (so retrieval has a vector signal to leak
 * through) and the four miners (so both domains have mined patterns).
 */
let t: TestServer;
let alpha: TestClient;
let alphaTokenId: string;
let admin: TestClient;
let betaEpisodeId: string;
let alphaEpisodeId: string;
let betaPatternId: string;
let alphaPatternId: string;
const betaSecret = 'zebracorn';

/** Completed episodes whose failed step is resolved the same way each time, which the miners learn from. */
async function learnedEpisodes(domain: string, error: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const episode = await admin.episodes.start.mutate({
      taskType: 'debugging',
      domain,
      context: `${error} in build ${i}`,
    });
    await admin.episodes.logSteps.mutate({
      episodeId: episode.id,
      steps: [
        { action: 'run_tests', result: `Error: ${error} exploded`, success: false },
        { action: 'edit_config', result: 'patched', success: true },
        { action: 'run_tests', result: 'all passed', success: true },
      ],
    });
    await admin.episodes.complete.mutate({ episodeId: episode.id, status: 'completed', successRate: 1 });
    ids.push(episode.id);
  }
  return ids;
}

beforeAll(async () => {
  t = await startTestServer();
  admin = t.client(t.adminToken);
  const alphaBearer = await t.token({ name: 'alpha agent', scopes: ['read', 'write'], domains: ['alpha'] });
  alphaTokenId = /^ep_([0-9a-f-]{36})_/.exec(alphaBearer)?.[1] as string;
  alpha = t.client(alphaBearer);

  await learnedEpisodes('beta', `${betaSecret} overflow`, 3);
  await learnedEpisodes('alpha', 'timeout overflow', 3);
  const beta = await admin.episodes.start.mutate({
    taskType: 'debugging',
    domain: 'beta',
    context: `${betaSecret} outage`,
  });
  await admin.episodes.logSteps.mutate({
    episodeId: beta.id,
    steps: [{ action: `grep ${betaSecret}`, result: `${betaSecret} found` }],
  });
  betaEpisodeId = beta.id;
  alphaEpisodeId = (
    await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'alpha', context: 'alpha work' })
  ).id;

  // Learning runs in the background (in serve's learning thread): patterns exist once it drained.
  await admin.learning.flush.mutate({});
  const patternOf = async (domain: string) => {
    const { items: patterns } = await admin.patterns.list.query({ domain });
    expect(patterns.length, `patterns mined in ${domain}`).toBeGreaterThan(0);
    return (patterns.find((pattern) => JSON.stringify(pattern).includes(betaSecret)) ?? patterns[0])!.id;
  };
  betaPatternId = await patternOf('beta');
  alphaPatternId = await patternOf('alpha');
  expect(JSON.stringify(await admin.patterns.get.query({ patternId: betaPatternId }))).toContain(betaSecret);
});

afterAll(async () => {
  await t.close();
});

const codeOf = (error: { data?: Record<string, unknown> }) => error.data?.code;

async function assertBetaUntouched(): Promise<void> {
  const beta = await admin.episodes.get.query({ episodeId: betaEpisodeId });
  expect(beta.status).toBe('active');
  expect(beta.steps).toHaveLength(1);
}

const checks: Record<string, () => Promise<void>> = {
  'episodes.start': async () => {
    const error = await rejection(alpha.episodes.start.mutate({ taskType: 'testing', domain: 'beta' }));
    expect(codeOf(error)).toBe('FORBIDDEN');
    // Start ids are the caller's to choose: one of another domain is taken, and that is all it says.
    const takeOver = await rejection(
      alpha.episodes.start.mutate({ id: betaEpisodeId, taskType: 'debugging', domain: 'alpha' }),
    );
    expect([codeOf(takeOver), takeOver.data?.issues]).toEqual([
      'CONFLICT',
      [{ path: 'id', message: 'is taken: start the episode with another id' }],
    ]);
    expect(JSON.stringify([takeOver.message, takeOver.data])).not.toMatch(
      new RegExp(`beta|${betaSecret}`, 'u'),
    );
    const { items } = await admin.episodes.list.query({ domain: 'beta' });
    expect(items).toHaveLength(4);
    await assertBetaUntouched();
  },
  'episodes.logSteps': async () => {
    const error = await rejection(
      alpha.episodes.logSteps.mutate({ episodeId: betaEpisodeId, steps: [{ action: 'x' }] }),
    );
    expect(codeOf(error)).toBe('NOT_FOUND');
    // Step ids are the caller's to choose too: one of another domain is taken, and that is all it says.
    const [betaStep] = (await admin.episodes.get.query({ episodeId: betaEpisodeId })).steps;
    const taken = await rejection(
      alpha.episodes.logSteps.mutate({
        episodeId: alphaEpisodeId,
        steps: [{ id: betaStep!.id, action: 'x' }],
      }),
    );
    expect([codeOf(taken), taken.data?.issues]).toEqual([
      'CONFLICT',
      [{ path: 'steps.0.id', message: 'already belongs to another episode: give the step another id' }],
    ]);
    expect(JSON.stringify([taken.message, taken.data])).not.toMatch(new RegExp(`beta|${betaSecret}`, 'u'));
    await assertBetaUntouched();
  },
  'episodes.record': async () => {
    const create = await rejection(
      alpha.episodes.record.mutate([{ id: newId(), taskType: 'testing', domain: 'beta', context: 'x' }]),
    );
    expect(codeOf(create)).toBe('FORBIDDEN');
    // Record ids are the caller's to choose: one of another domain is NOT_FOUND, like a missing one.
    const takeOver = await rejection(
      alpha.episodes.record.mutate([
        { id: betaEpisodeId, taskType: 'debugging', domain: 'alpha', steps: [{ action: 'x' }] },
      ]),
    );
    expect(codeOf(takeOver)).toBe('NOT_FOUND');
    await assertBetaUntouched();
  },
  'episodes.complete': async () => {
    const error = await rejection(
      alpha.episodes.complete.mutate({ episodeId: betaEpisodeId, status: 'failed' }),
    );
    expect(codeOf(error)).toBe('NOT_FOUND');
    await assertBetaUntouched();
  },
  'episodes.archive': async () => {
    const error = await rejection(alpha.episodes.archive.mutate({ episodeId: betaEpisodeId }));
    expect(codeOf(error)).toBe('NOT_FOUND');
    await assertBetaUntouched();
  },
  'episodes.get': async () => {
    const error = await rejection(alpha.episodes.get.query({ episodeId: betaEpisodeId }));
    expect(codeOf(error)).toBe('NOT_FOUND');
    // Indistinguishable from an episode that does not exist: nothing to probe with.
    const missing = await rejection(
      alpha.episodes.get.query({ episodeId: '01900000-0000-7000-8000-000000000000' }),
    );
    expect(missing.message.replace(/[0-9a-f-]{36}/, 'ID')).toBe(error.message.replace(/[0-9a-f-]{36}/, 'ID'));
    expect((await alpha.episodes.get.query({ episodeId: alphaEpisodeId })).domain).toBe('alpha');
  },
  'episodes.steps': async () => {
    const error = await rejection(alpha.episodes.steps.query({ episodeId: betaEpisodeId }));
    expect(codeOf(error)).toBe('NOT_FOUND');
    const missing = await rejection(
      alpha.episodes.steps.query({ episodeId: '01900000-0000-7000-8000-000000000000' }),
    );
    expect(missing.message.replace(/[0-9a-f-]{36}/, 'ID')).toBe(error.message.replace(/[0-9a-f-]{36}/, 'ID'));
    expect(await alpha.episodes.steps.query({ episodeId: alphaEpisodeId })).toEqual(
      await admin.episodes.steps.query({ episodeId: alphaEpisodeId }),
    );
  },
  'episodes.list': async () => {
    const { items } = await alpha.episodes.list.query({});
    expect(new Set(items.map((episode) => episode.domain))).toEqual(new Set(['alpha']));
    expect(items).toHaveLength(4);
    expect(codeOf(await rejection(alpha.episodes.list.query({ domain: 'beta' })))).toBe('FORBIDDEN');
  },
  'search.text': async () => {
    expect(await alpha.search.text.query({ text: betaSecret })).toEqual([]);
    expect((await admin.search.text.query({ text: betaSecret })).length).toBeGreaterThan(0);
    expect(codeOf(await rejection(alpha.search.text.query({ text: betaSecret, domain: 'beta' })))).toBe(
      'FORBIDDEN',
    );
  },
  'search.retrieve': async () => {
    // The vector signal is on, and would match beta's episodes on the shared words.
    const mine = await alpha.search.retrieve.query({ text: `${betaSecret} overflow exploded` });
    expect(mine.signals.vector.used).toBe(true);
    expect(mine.episodes.length).toBeGreaterThan(0);
    expect(new Set(mine.episodes.map((hit) => hit.episode.domain))).toEqual(new Set(['alpha']));
    expect(JSON.stringify(mine)).not.toContain(betaSecret);
    const all = await admin.search.retrieve.query({ text: `${betaSecret} overflow exploded` });
    expect(all.episodes.some((hit) => hit.episode.domain === 'beta')).toBe(true);
    expect(codeOf(await rejection(alpha.search.retrieve.query({ text: betaSecret, domain: 'beta' })))).toBe(
      'FORBIDDEN',
    );
  },
  'patterns.list': async () => {
    const { items: patterns } = await alpha.patterns.list.query({});
    expect(patterns.map((pattern) => pattern.id)).toContain(alphaPatternId);
    expect(new Set(patterns.map((pattern) => pattern.domain))).toEqual(new Set(['alpha']));
    expect(JSON.stringify(patterns)).not.toContain(betaSecret);
    expect(codeOf(await rejection(alpha.patterns.list.query({ domain: 'beta' })))).toBe('FORBIDDEN');
  },
  'patterns.get': async () => {
    expect(codeOf(await rejection(alpha.patterns.get.query({ patternId: betaPatternId })))).toBe('NOT_FOUND');
    expect((await alpha.patterns.get.query({ patternId: alphaPatternId })).domain).toBe('alpha');
    expect((await admin.patterns.get.query({ patternId: betaPatternId })).domain).toBe('beta');
  },
  'patterns.relevant': async () => {
    const relevant = await alpha.patterns.relevant.query({
      text: `run_tests ${betaSecret} overflow`,
      minSupport: 1,
    });
    expect(relevant.length).toBeGreaterThan(0);
    expect(new Set(relevant.map((hit) => hit.pattern.domain))).toEqual(new Set(['alpha']));
    expect(JSON.stringify(relevant)).not.toContain(betaSecret);
    const all = await admin.patterns.relevant.query({
      text: `run_tests ${betaSecret} overflow`,
      minSupport: 1,
    });
    expect(all.some((hit) => hit.pattern.id === betaPatternId)).toBe(true);
    expect(codeOf(await rejection(alpha.patterns.relevant.query({ domain: 'beta' })))).toBe('FORBIDDEN');
  },
  'patterns.recordUsage': async () => {
    const before = await admin.patterns.get.query({ patternId: betaPatternId });
    const theirs = await rejection(
      alpha.patterns.recordUsage.mutate({
        patternId: betaPatternId,
        episodeId: alphaEpisodeId,
        helped: true,
      }),
    );
    expect(codeOf(theirs)).toBe('NOT_FOUND');
    const onTheirEpisode = await rejection(
      alpha.patterns.recordUsage.mutate({
        patternId: alphaPatternId,
        episodeId: betaEpisodeId,
        helped: true,
      }),
    );
    expect(codeOf(onTheirEpisode)).toBe('NOT_FOUND');
    expect(await admin.patterns.get.query({ patternId: betaPatternId })).toEqual(before);
    const used = await alpha.patterns.recordUsage.mutate({
      patternId: alphaPatternId,
      episodeId: alphaEpisodeId,
      helped: true,
    });
    expect(used).toMatchObject({ id: alphaPatternId, usageCount: 1 });
  },
  // Admin figures are store-wide, so admin procedures need an admin token, and an admin token
  // always covers every domain (the token store refuses a domain-limited one).
  'learning.status': async () => {
    expect(codeOf(await rejection(alpha.learning.status.query()))).toBe('FORBIDDEN');
  },
  'learning.flush': async () => {
    expect(codeOf(await rejection(alpha.learning.flush.mutate({})))).toBe('FORBIDDEN');
  },
  'learning.retryFailed': async () => {
    expect(codeOf(await rejection(alpha.learning.retryFailed.mutate()))).toBe('FORBIDDEN');
  },
  'learning.retire': async () => {
    expect(codeOf(await rejection(alpha.learning.retire.mutate({ learner: 'mining' })))).toBe('FORBIDDEN');
    expect((await admin.learning.status.query()).learners.mining).toBeDefined();
  },
  'admin.stats': async () => {
    expect(codeOf(await rejection(alpha.admin.stats.query()))).toBe('FORBIDDEN');
  },
  'admin.analyze': async () => {
    expect(codeOf(await rejection(alpha.admin.analyze.mutate()))).toBe('FORBIDDEN');
  },
  'admin.health': async () => {
    expect(codeOf(await rejection(alpha.admin.health.query()))).toBe('FORBIDDEN');
  },
  'admin.audit': async () => {
    expect(codeOf(await rejection(alpha.admin.audit.query({})))).toBe('FORBIDDEN');
    // The refusal itself is in the log, under alpha's token id.
    const denied = await admin.admin.audit.query({ actor: alphaTokenId, outcome: 'denied', limit: 1000 });
    expect(denied.map((entry) => entry.entityId)).toContain('admin.audit');
  },
  'admin.forget': async () => {
    expect(codeOf(await rejection(alpha.admin.forget.mutate({ domain: 'beta' })))).toBe('FORBIDDEN');
    expect(codeOf(await rejection(alpha.admin.forget.mutate({ episodeIds: [betaEpisodeId] })))).toBe(
      'FORBIDDEN',
    );
    await assertBetaUntouched();
  },
  'admin.purge': async () => {
    expect(codeOf(await rejection(alpha.admin.purge.mutate()))).toBe('FORBIDDEN');
  },
  'events.onEpisode': async () => {
    const recorder = recordEvents(alpha);
    await recorder.started;
    const beta = await admin.episodes.start.mutate({
      taskType: 'testing',
      domain: 'beta',
      context: betaSecret,
    });
    await admin.episodes.logSteps.mutate({ episodeId: beta.id, steps: [{ action: betaSecret }] });
    await admin.episodes.complete.mutate({ episodeId: beta.id, status: 'completed' });
    await admin.episodes.archive.mutate({ episodeId: beta.id });
    // Events reach a subscriber in publish order: once alpha's arrives, beta's would have.
    const marker = await admin.episodes.start.mutate({ taskType: 'testing', domain: 'alpha' });
    await recorder.until((event) => event.type === 'started' && event.episode.id === marker.id);
    recorder.stop();
    expect(recorder.events.every((event) => event.domain === 'alpha')).toBe(true);
    expect(JSON.stringify(recorder.events)).not.toContain(betaSecret);

    const forbidden = recordEvents(alpha, { domains: ['beta'] });
    expect((await forbidden.failed).data?.code).toBe('FORBIDDEN');
    forbidden.stop();
  },
  // What a token learns of itself: its own domains, nothing of another's.
  'session.whoami': async () => {
    const session = await alpha.session.whoami.query();
    expect(session.token).toEqual({
      id: alphaTokenId,
      name: 'alpha agent',
      scopes: ['read', 'write'],
      domains: ['alpha'],
    });
    expect(JSON.stringify(session)).not.toMatch(new RegExp(`beta|${betaSecret}`, 'u'));
  },
};

describe('a token limited to one domain', () => {
  it('has a cross-domain check for every procedure of the router', () => {
    const router = createAppRouter({
      memory: t.server.memory,
      events: new EventBus({ maxPerOwner: 16 }),
      databaseBytes: () => null,
      startedAt: 0,
      maxBodyBytes: 8 * 1024 * 1024,
    });
    expect(Object.keys(checks).sort()).toEqual(Object.keys(router._def.procedures).sort());
  });

  for (const [procedure, check] of Object.entries(checks)) {
    it(`never sees another domain's data through ${procedure}`, check);
  }
});
