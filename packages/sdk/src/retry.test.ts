import {
  type DroppingProxy,
  startDroppingProxy,
  startTestServer,
  type TestServer,
} from '@episodic/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEpisodicClient, createRemoteMemory, TRPCClientError } from './index.js';

let t: TestServer;
let proxy: DroppingProxy;
let token: string;

beforeAll(async () => {
  t = await startTestServer();
  proxy = await startDroppingProxy(t.url);
  token = await t.token({ name: 'agent' });
});
afterAll(async () => {
  await proxy.close();
  await t.close();
});

const retry = { retries: 3, delayMs: 10 };

describe('retries after a lost response', () => {
  it('stores each step once when a flush is replayed after the server already stored it', async () => {
    const client = createEpisodicClient({ url: proxy.url, token, steps: { flushIntervalMs: 60_000, retry } });
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    const ids = [episode.step({ action: 'first' }), episode.step({ action: 'second' })];

    proxy.dropNext('episodes.logSteps');
    const stored = await episode.flush();
    expect(proxy.dropped).toEqual([expect.stringContaining('episodes.logSteps')]);
    expect(stored.map((step) => [step.id, step.stepNumber])).toEqual([
      [ids[0], 1],
      [ids[1], 2],
    ]);

    episode.step({ action: 'third' });
    await episode.complete({ status: 'completed' });
    const read = await client.episodes.get.query({ episodeId: episode.id });
    expect(read.steps.map((step) => step.action)).toEqual(['first', 'second', 'third']);
  });

  it('starts one episode when the answer to the start was lost, and its steps and outcome land on it', async () => {
    const client = createEpisodicClient({ url: proxy.url, token, steps: { flushIntervalMs: 60_000, retry } });
    proxy.dropNext('episodes.start');
    const episode = await client.startEpisode({
      taskType: 'debugging',
      domain: 'lost-start',
      context: 'answer lost',
    });
    expect(proxy.dropped.at(-1)).toContain('episodes.start');
    episode.step({ action: 'run_tests', success: false });
    episode.step({ action: 'edit_file', success: true });
    await episode.complete({ status: 'completed' });
    const { items } = await client.episodes.list.query({ domain: 'lost-start' });
    expect(items.map((item) => [item.id, item.status, item.context])).toEqual([
      [episode.id, 'completed', 'answer lost'],
    ]);
    const stored = await client.episodes.get.query({ episodeId: episode.id });
    expect(stored.steps.map((step) => step.action)).toEqual(['run_tests', 'edit_file']);
  });

  it('sends a start again under its own id after the client’s replays are lost too', async () => {
    const client = createEpisodicClient({ url: proxy.url, token, steps: { retry } });
    const dropped = proxy.dropped.length;
    // The first try and the client's two replays: the handle's own retry is the fourth try.
    proxy.dropNext('episodes.start', 3);
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'lost-starts' });
    expect(proxy.dropped.length - dropped).toBe(3);
    const { items } = await client.episodes.list.query({ domain: 'lost-starts' });
    expect(items.map((item) => item.id)).toEqual([episode.id]);
  });

  it('returns the completed episode when the answer to complete was lost', async () => {
    const client = createEpisodicClient({ url: proxy.url, token, steps: { retry } });
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    proxy.dropNext('episodes.complete');
    const completed = await episode.complete({ status: 'failed', successRate: 0.2 });
    expect(completed).toMatchObject({ id: episode.id, status: 'failed', successRate: 0.2 });
    expect(completed).not.toHaveProperty('steps');
  });

  it('keeps the steps and reports the failure when the network stays down', async () => {
    const client = createEpisodicClient({ url: proxy.url, token, steps: { flushIntervalMs: 60_000, retry } });
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    episode.step({ action: 'kept' });
    // Every try of the handle (1 + retries), each replayed twice by the client: 12 in all.
    proxy.dropNext('episodes.logSteps', (retry.retries + 1) * 3);
    const error = await episode.flush().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(episode.pending).toBe(1);
    expect((await episode.flush()).map((step) => step.action)).toEqual(['kept']);
    const read = await client.episodes.get.query({ episodeId: episode.id });
    expect(read.steps.map((step) => step.action)).toEqual(['kept']);
  });
});

describe('replays after a connection closed before any answer', () => {
  it('replays reads and idempotent mutations, a start with the id the client gave it among them', async () => {
    const client = createEpisodicClient({ url: proxy.url, token });
    const admin = createEpisodicClient({ url: proxy.url, token: t.adminToken });
    const memory = createRemoteMemory({ url: proxy.url, token });
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'replay', context: 'once' });

    proxy.refuseNext('search.text');
    expect(await client.search.text.query({ text: 'once' })).toEqual([
      expect.objectContaining({ episode: expect.objectContaining({ id: episode.id }) }),
    ]);
    proxy.refuseNext('episodes.get');
    expect((await memory.episodes.get(episode.id))?.id).toBe(episode.id);
    proxy.refuseNext('admin.forget');
    expect((await admin.admin.forget.mutate({ episodeIds: [episode.id] })).episodeIds).toEqual([episode.id]);
    proxy.refuseNext('admin.purge');
    expect((await admin.admin.purge.mutate()).pendingSince).toBeNull();
    expect(proxy.refused).toHaveLength(4);

    // The first try may have run (here its answer is lost): the replay, with the same id, starts no second episode.
    proxy.dropNext('episodes.start');
    const started = await memory.episodes.start({ taskType: 'debugging', domain: 'replay' });
    expect(proxy.dropped.at(-1)).toContain('episodes.start');
    proxy.refuseNext('episodes.start');
    const other = await memory.episodes.start({ taskType: 'testing', domain: 'replay' });
    expect(proxy.refused).toHaveLength(5);
    expect((await memory.episodes.list({ domain: 'replay' })).items.map((item) => item.id)).toEqual([
      other.id,
      started.id,
    ]);
  });

  it('never replays a mutation that is not idempotent', async () => {
    const memory = createRemoteMemory({ url: proxy.url, token });
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'no-replay' });
    // Archiving twice is a CONFLICT, and the first try may have run: it is not replayed.
    proxy.refuseNext('episodes.archive');
    const error = await memory.episodes.archive(episode.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((await memory.episodes.get(episode.id))?.status).toBe('active');
  });
});
