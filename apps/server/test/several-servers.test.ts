import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliProcess, spawnCli } from './__fixtures__/cli-process.js';
import { createTestClient } from './__fixtures__/test-server.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-several-'));
const servers: CliProcess[] = [];

afterAll(async () => {
  for (const server of servers) server.child.kill('SIGTERM');
  await Promise.all(servers.map((server) => server.exited));
  rmSync(root, { recursive: true, force: true });
});

/** `episodic serve` with the data dir `name`, on the shared database when `databaseUrl` is given. */
async function serve(name: string, databaseUrl?: string): Promise<string> {
  const database = databaseUrl === undefined ? [] : ['--database-url', databaseUrl];
  const server = spawnCli(['serve', '--port', '0', '--data-dir', join(root, name), ...database]);
  servers.push(server);
  return (await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
}

/** The episode as `client` reads it once it shows completed, or after 30 s as it is then. */
async function onceCompleted(client: ReturnType<typeof createTestClient>, episodeId: string) {
  const deadline = Date.now() + 30_000;
  let seen = await client.episodes.get.query({ episodeId });
  while (seen?.status !== 'completed' && Date.now() < deadline) {
    await sleep(100);
    seen = await client.episodes.get.query({ episodeId });
  }
  return seen;
}

// Two servers starting beside each other: room for a loaded machine.
describe('several servers on one database', { timeout: 180_000 }, () => {
  it('each sees what the other wrote, though each caches what it read', async () => {
    const databaseUrl = `file:${join(root, 'shared', 'memory.db')}`;
    const urlA = await serve('a', databaseUrl);
    const token = readFileSync(join(root, 'a', 'admin-token'), 'utf8').trim();
    const urlB = await serve('b', databaseUrl);
    const [a, b] = [createTestClient(urlA, token), createTestClient(urlB, token)];

    const episode = await a.episodes.start.mutate({ taskType: 'debugging', domain: 'shop', context: 'cart' });
    await a.episodes.logSteps.mutate({ episodeId: episode.id, steps: [{ action: 'first' }] });
    // Read on both, twice: each server now answers from its own cache.
    for (const client of [a, b, a, b]) await client.episodes.get.query({ episodeId: episode.id });

    await b.episodes.logSteps.mutate({ episodeId: episode.id, steps: [{ action: 'second' }] });
    await b.episodes.complete.mutate({ episodeId: episode.id, status: 'completed' });
    const seen = await onceCompleted(a, episode.id);
    expect(seen?.steps.map((step) => step.action)).toEqual(['first', 'second']);
    expect(seen?.status).toBe('completed');
    const found = await a.search.text.query({ text: 'second' });
    expect(found.map((hit) => hit.episode.id)).toEqual([episode.id]);
  });

  it('shares one data dir too: one database, one cache and one admin token for both', async () => {
    const tokenFile = join(root, 'together', 'admin-token');
    const urlA = await serve('together');
    const token = readFileSync(tokenFile, 'utf8').trim();
    const urlB = await serve('together');
    // The second start found the token the first wrote, and wrote no other.
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    const [a, b] = [createTestClient(urlA, token), createTestClient(urlB, token)];

    const episode = await a.episodes.start.mutate({
      taskType: 'debugging',
      domain: 'shop',
      context: 'refund',
    });
    for (const client of [a, b, a, b]) await client.episodes.get.query({ episodeId: episode.id });
    await b.episodes.logSteps.mutate({ episodeId: episode.id, steps: [{ action: 'issue_refund' }] });
    await b.episodes.complete.mutate({ episodeId: episode.id, status: 'completed' });
    // One cache folder read by both: a change made through one server is not hidden from the
    // other by what it cached before.
    const seen = await onceCompleted(a, episode.id);
    expect([seen?.status, seen?.steps.map((step) => step.action)]).toEqual(['completed', ['issue_refund']]);
    expect((await a.search.text.query({ text: 'refund' })).map((hit) => hit.episode.id)).toEqual([
      episode.id,
    ]);
  });
});
