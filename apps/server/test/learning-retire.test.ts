import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './__fixtures__/cli-process.js';
import {
  rejection,
  startTestServer,
  type TestClient,
  type ClientTestServer as TestServer,
} from './__fixtures__/test-server.js';

/**
 * A server whose configuration no longer has the miners (`miners: []`) on a store where another
 * server ran them: the `mining` learner is registered, nobody runs it, and every completion queues
 * a row for it. Retiring it, through the real tRPC client and the CLI as a child process, while
 * the server keeps serving.
 */
let t: TestServer;
let admin: TestClient;
let databaseUrl: string;
/** The flags that open the served store, as the server is configured, for the CLI. */
let storeFlags: string[];

beforeAll(async () => {
  t = await startTestServer({ embeddings: 'none', miners: [] });
  admin = t.client(t.adminToken);
  databaseUrl = `file:${join(t.dir, 'memory.db')}`;
  storeFlags = ['--data-dir', t.dir, '--embeddings', 'none', '--miners', 'none'];
});
afterAll(() => t.close());

/** Another server on the same database, with the default miners, learning in its thread. */
const minerServer = () => startTestServer({ databaseUrl, embeddings: 'none' });

/** Registers `mining` as a server that ran it once does, and leaves a row for it behind. */
async function formerMiner(): Promise<void> {
  await (await minerServer()).close();
  await completed();
}

async function completed(): Promise<void> {
  const episode = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web', context: 'x' });
  await admin.episodes.complete.mutate({ episodeId: episode.id, status: 'completed' });
}

const mining = async () => (await admin.learning.status.query()).learners.mining;

describe('retiring a learner', () => {
  it('is refused while another process runs it, and removes nothing', async () => {
    const live = await minerServer();
    try {
      // Answered by its learning thread once it opened the store, which claims the miners first.
      expect(await live.client(t.adminToken).learning.flush.mutate({})).toMatchObject({
        learners: { mining: { runsHere: true } },
      });
      const refused = await rejection(admin.learning.retire.mutate({ learner: 'mining' }));
      expect(refused.data?.code).toBe('CONFLICT');
      expect(refused.message).toMatch(/"mining" is run by a process on this store now/);
    } finally {
      await live.close();
    }
    // Still registered: a completion queues a row for it, now that nobody runs it.
    await completed();
    expect(await mining()).toMatchObject({ pending: 1, alive: false });
  }, 120_000);

  it('needs an admin token', async () => {
    await formerMiner();
    const counts = async () => {
      const { pending, failed } = (await mining()) ?? {};
      return { pending, failed };
    };
    const before = await counts();
    expect(before.pending).toBeGreaterThan(0);
    for (const token of [
      await t.token({ name: 'web agent', scopes: ['read', 'write'], domains: ['web'] }),
      await t.token({ name: 'all domains', scopes: ['read', 'write'] }),
    ]) {
      const refused = await rejection(t.client(token).learning.retire.mutate({ learner: 'mining' }));
      expect(refused.data?.code).toBe('FORBIDDEN');
    }
    expect(await counts()).toEqual(before);
  }, 120_000);

  it('deletes its registration and rows over the API, so later completions queue nothing for it', async () => {
    await formerMiner();
    const { pending, failed } = (await mining()) ?? { pending: 0, failed: 0 };
    expect(pending).toBeGreaterThan(0);
    expect(await admin.learning.retire.mutate({ learner: 'mining' })).toEqual({
      learner: 'mining',
      pending,
      failed,
      registered: true,
    });
    await completed();
    const status = await admin.learning.status.query();
    expect(status.learners).toEqual({});
    expect(status).toMatchObject({ pending: 0, unattended: 0 });
    const audited = await admin.admin.audit.query({ operation: 'admin', limit: 1000 });
    expect(audited).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entityType: 'learner', entityId: 'mining', outcome: 'ok' }),
      ]),
    );

    const unknown = await rejection(admin.learning.retire.mutate({ learner: 'mining' }));
    expect(unknown.data?.code).toBe('NOT_FOUND');
    expect((await rejection(admin.learning.retire.mutate({ learner: '' }))).data?.code).toBe('BAD_REQUEST');
  }, 120_000);

  it('is `episodic learning retire NAME`, which prints what it removed', async () => {
    await formerMiner();
    const { pending } = (await mining()) ?? { pending: 0 };
    // A configuration that still has the miners would queue work for them again: refused.
    const configured = await runCli([
      'learning',
      'retire',
      'mining',
      '--data-dir',
      t.dir,
      '--embeddings',
      'none',
    ]);
    expect(configured.code).toBe(1);
    expect(configured.stderr).toMatch(/"mining" is configured in this process/);
    expect((await runCli(['learning', 'retire', ...storeFlags])).stderr).toMatch(
      /learning retire needs the name of a learner/,
    );

    const retired = await runCli(['learning', 'retire', 'mining', ...storeFlags]);
    expect(retired.code, retired.stderr).toBe(0);
    expect(retired.stdout).toContain(`Retired learner mining: deleted ${pending} pending and 0 failed rows`);
    expect((await admin.learning.status.query()).learners).toEqual({});

    // Registered again, it was given the episodes finished while it was retired, besides the new one.
    await formerMiner();
    const again = (await mining())?.pending ?? 0;
    expect(again).toBeGreaterThanOrEqual(1);
    const json = await runCli(['learning', 'retire', 'mining', '--json', ...storeFlags]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      learner: 'mining',
      pending: again,
      failed: 0,
      registered: true,
    });
    expect((await runCli(['learning', 'retire', 'mining', 'extra', ...storeFlags])).stderr).toMatch(
      /learning retire takes no argument "extra"/,
    );
  }, 180_000);
});
