import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpisodeDomains } from '../src/events/episode-domains.js';
import { EventBus } from '../src/events/event-bus.js';
import { createAppRouter } from '../src/router.js';
import { recordEvents } from './__fixtures__/event-recorder.js';
import { rejection, startTestServer, type ClientTestServer as TestServer, type TestClient } from './__fixtures__/test-server.js';

/**
 * A token for domain "alpha" against data of domain "beta", through every procedure the server
 * has. Each check asserts what the caller gets back holds nothing of beta, and the first test
 * fails when a procedure is added without a check here.
 */
let t: TestServer;
let alpha: TestClient;
let admin: TestClient;
let betaEpisodeId: string;
let alphaEpisodeId: string;
const betaSecret = 'zebracorn';

beforeAll(async () => {
  t = await startTestServer();
  admin = t.client(t.adminToken);
  alpha = t.client(await t.token({ name: 'alpha agent', scopes: ['read', 'write'], domains: ['alpha'] }));

  const beta = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'beta', context: `${betaSecret} outage` });
  await admin.episodes.logSteps.mutate({
    episodeId: beta.id,
    steps: [{ action: `grep ${betaSecret}`, result: `${betaSecret} found` }],
  });
  betaEpisodeId = beta.id;
  alphaEpisodeId = (await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'alpha', context: 'alpha work' })).id;

  // No public procedure creates patterns yet (the miners do), so they are written as a miner would.
  const raw = createClient({ url: `file:${join(t.dir, 'memory.db')}` });
  await raw.batch(
    [
      {
        sql: `INSERT INTO patterns (id, pattern_type, domain, pattern_data, success_rate, created_at)
              VALUES (?, 'tool_sequence', ?, ?, 0.9, '2026-01-01T00:00:00.000Z')`,
        args: ['pattern-beta', 'beta', JSON.stringify({ secret: betaSecret })],
      },
      {
        sql: `INSERT INTO patterns (id, pattern_type, domain, pattern_data, success_rate, created_at)
              VALUES (?, 'tool_sequence', ?, ?, 0.8, '2026-01-01T00:00:00.000Z')`,
        args: ['pattern-alpha', 'alpha', JSON.stringify({ steps: ['a'] })],
      },
    ],
    'write',
  );
  raw.close();
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
    const { items } = await admin.episodes.list.query({ domain: 'beta' });
    expect(items).toHaveLength(1);
  },
  'episodes.logSteps': async () => {
    const error = await rejection(alpha.episodes.logSteps.mutate({ episodeId: betaEpisodeId, steps: [{ action: 'x' }] }));
    expect(codeOf(error)).toBe('NOT_FOUND');
    await assertBetaUntouched();
  },
  'episodes.complete': async () => {
    const error = await rejection(alpha.episodes.complete.mutate({ episodeId: betaEpisodeId, status: 'failed' }));
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
    const missing = await rejection(alpha.episodes.get.query({ episodeId: '01900000-0000-7000-8000-000000000000' }));
    expect(missing.message.replace(/[0-9a-f-]{36}/, 'ID')).toBe(error.message.replace(/[0-9a-f-]{36}/, 'ID'));
    expect((await alpha.episodes.get.query({ episodeId: alphaEpisodeId })).domain).toBe('alpha');
  },
  'episodes.list': async () => {
    const { items } = await alpha.episodes.list.query({});
    expect(items.map((episode) => episode.domain)).toEqual(['alpha']);
    expect(codeOf(await rejection(alpha.episodes.list.query({ domain: 'beta' })))).toBe('FORBIDDEN');
  },
  'search.text': async () => {
    expect(await alpha.search.text.query({ text: betaSecret })).toEqual([]);
    expect(await admin.search.text.query({ text: betaSecret })).toHaveLength(1);
    expect(codeOf(await rejection(alpha.search.text.query({ text: betaSecret, domain: 'beta' })))).toBe('FORBIDDEN');
  },
  'patterns.list': async () => {
    const patterns = await alpha.patterns.list.query({});
    expect(patterns.map((pattern) => pattern.id)).toEqual(['pattern-alpha']);
    expect(codeOf(await rejection(alpha.patterns.list.query({ domain: 'beta' })))).toBe('FORBIDDEN');
  },
  'patterns.get': async () => {
    expect(codeOf(await rejection(alpha.patterns.get.query({ patternId: 'pattern-beta' })))).toBe('NOT_FOUND');
    expect((await alpha.patterns.get.query({ patternId: 'pattern-alpha' })).domain).toBe('alpha');
    expect((await admin.patterns.get.query({ patternId: 'pattern-beta' })).domain).toBe('beta');
  },
  // Admin figures are store-wide, so admin procedures need an admin token, and an admin token
  // always covers every domain (the token store refuses a domain-limited one).
  'admin.stats': async () => {
    expect(codeOf(await rejection(alpha.admin.stats.query()))).toBe('FORBIDDEN');
  },
  'admin.analyze': async () => {
    expect(codeOf(await rejection(alpha.admin.analyze.mutate()))).toBe('FORBIDDEN');
  },
  'admin.health': async () => {
    expect(codeOf(await rejection(alpha.admin.health.query()))).toBe('FORBIDDEN');
  },
  'events.onEpisode': async () => {
    const recorder = recordEvents(alpha);
    await recorder.started;
    const beta = await admin.episodes.start.mutate({ taskType: 'testing', domain: 'beta', context: betaSecret });
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
};

describe('a token limited to one domain', () => {
  it('has a cross-domain check for every procedure of the router', () => {
    const router = createAppRouter({
      memory: t.server.memory,
      events: new EventBus(),
      episodeDomains: new EpisodeDomains(),
      databaseBytes: () => null,
      startedAt: 0,
    });
    expect(Object.keys(checks).sort()).toEqual(Object.keys(router._def.procedures).sort());
  });

  for (const [procedure, check] of Object.entries(checks)) {
    it(`never sees another domain's data through ${procedure}`, check);
  }
});
