import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientRefusal } from './__fixtures__/client-refusal.js';
import { failingFetch } from './__fixtures__/failing-fetch.js';
import { proxiedServerForFile } from './__fixtures__/proxied-server.js';
import { createEpisodicClient, createRemoteMemory, isTransient, TRPCClientError } from './index.js';
import { withRetries } from './retry.js';
import type { AppRouter } from './types.js';

const live = proxiedServerForFile();

const retry = { retries: 3, delayMs: 10 };

/** A `fetch` to the real server that keeps the URL of every request it sends. */
function countingFetch() {
  const sent: string[] = [];
  const counting: typeof fetch = (input, init) => {
    sent.push(String(input));
    return fetch(input, init);
  };
  return { sent, counting };
}

describe('retries after a lost response', () => {
  it('stores each step once when a flush is replayed after the server already stored it', async () => {
    const client = createEpisodicClient({
      url: live.proxy.url,
      token: live.token,
      steps: { flushIntervalMs: 60_000, retry },
    });
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    const ids = [episode.step({ action: 'first' }), episode.step({ action: 'second' })];

    live.proxy.dropNext('episodes.logSteps');
    const stored = await episode.flush();
    expect(live.proxy.dropped).toEqual([expect.stringContaining('episodes.logSteps')]);
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
    const client = createEpisodicClient({
      url: live.proxy.url,
      token: live.token,
      steps: { flushIntervalMs: 60_000, retry },
    });
    live.proxy.dropNext('episodes.start');
    const episode = await client.startEpisode({
      taskType: 'debugging',
      domain: 'lost-start',
      context: 'answer lost',
    });
    expect(live.proxy.dropped.at(-1)).toContain('episodes.start');
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
    const client = createEpisodicClient({ url: live.proxy.url, token: live.token, steps: { retry } });
    const dropped = live.proxy.dropped.length;
    // The first try and the client's two replays: the handle's own retry is the fourth try.
    live.proxy.dropNext('episodes.start', 3);
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'lost-starts' });
    expect(live.proxy.dropped.length - dropped).toBe(3);
    const { items } = await client.episodes.list.query({ domain: 'lost-starts' });
    expect(items.map((item) => item.id)).toEqual([episode.id]);
  });

  it('returns the completed episode when the answer to complete was lost', async () => {
    const client = createEpisodicClient({ url: live.proxy.url, token: live.token, steps: { retry } });
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    live.proxy.dropNext('episodes.complete');
    const completed = await episode.complete({ status: 'failed', successRate: 0.2 });
    expect(completed).toMatchObject({ id: episode.id, status: 'failed', successRate: 0.2 });
    expect(completed).not.toHaveProperty('steps');
  });

  it('keeps the steps and reports the failure when the network stays down', async () => {
    const client = createEpisodicClient({
      url: live.proxy.url,
      token: live.token,
      steps: { flushIntervalMs: 60_000, retry },
    });
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    episode.step({ action: 'kept' });
    // Every try of the handle (1 + retries), each replayed twice by the client: 12 in all.
    live.proxy.dropNext('episodes.logSteps', (retry.retries + 1) * 3);
    const error = await episode.flush().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(episode.pending).toBe(1);
    expect((await episode.flush()).map((step) => step.action)).toEqual(['kept']);
    const read = await client.episodes.get.query({ episodeId: episode.id });
    expect(read.steps.map((step) => step.action)).toEqual(['kept']);
  });
});

describe('starts answered with an error', () => {
  it.each([
    ['INTERNAL_SERVER_ERROR', 500],
    ['BAD_GATEWAY', 502],
    ['SERVICE_UNAVAILABLE', 503],
    ['GATEWAY_TIMEOUT', 504],
  ] as const)(
    'retries a start answered %s, and one episode exists under the id its first try carried',
    async (code, status) => {
      const faults = failingFetch();
      const memory = createRemoteMemory({ url: live.server.url, token: live.token, fetch: faults.fetch });
      const client = createEpisodicClient({
        url: live.server.url,
        token: live.token,
        fetch: faults.fetch,
        steps: { retry },
      });
      const domain = `start-${status}`;
      faults.failNext('episodes.start', code);
      const started = await memory.episodes.start({
        taskType: 'debugging',
        domain,
        context: 'remote memory',
      });
      faults.failNext('episodes.start', code);
      const handle = await client.startEpisode({ taskType: 'debugging', domain, context: 'episode handle' });

      // Both clients chose the id before the first try, and sent the retry under it.
      expect(faults.failed).toEqual([
        { input: expect.objectContaining({ id: started.id, context: 'remote memory' }), status },
        { input: expect.objectContaining({ id: handle.id, context: 'episode handle' }), status },
      ]);
      const { items } = await memory.episodes.list({ domain });
      expect(items.map((item) => [item.id, item.context, item.status])).toEqual([
        [handle.id, 'episode handle', 'active'],
        [started.id, 'remote memory', 'active'],
      ]);
    },
  );

  it('sends a start the server refuses (4xx) once', async () => {
    const { sent, counting } = countingFetch();
    const memory = createRemoteMemory({ url: live.server.url, token: live.token, fetch: counting });
    const client = createEpisodicClient({
      url: live.server.url,
      token: live.token,
      fetch: counting,
      steps: { retry },
    });
    const { id } = await memory.episodes.start({ taskType: 'debugging', domain: 'refused-start' });
    sent.length = 0;
    const refusals = [
      // The same id with other input: a CONFLICT (409).
      () => memory.episodes.start({ id, taskType: 'testing', domain: 'refused-start' }),
      () => client.startEpisode({ id, taskType: 'testing', domain: 'refused-start' }),
      // Input the server's schema refuses: a BAD_REQUEST (400).
      () => memory.episodes.start({ taskType: 'no_such_task', domain: 'refused-start' }),
      () => client.startEpisode({ taskType: 'no_such_task', domain: 'refused-start' }),
    ];
    const statuses: unknown[] = [];
    // One after another: calls made in the same tick would share one request.
    for (const call of refusals) {
      const error = await call().then(
        () => null,
        (caught: { data?: { httpStatus?: number } }) => caught,
      );
      statuses.push(error?.data?.httpStatus);
    }
    expect(statuses).toEqual([409, 409, 400, 400]);
    expect(sent.filter((url) => url.includes('episodes.start'))).toHaveLength(refusals.length);
    expect((await memory.episodes.list({ domain: 'refused-start' })).items.map((item) => item.id)).toEqual([
      id,
    ]);
  });
});

describe("createRemoteMemory's steps", () => {
  it('sends steps answered 503 again under the ids their first try carried, and stores each once', async () => {
    const faults = failingFetch();
    const memory = createRemoteMemory({ url: live.server.url, token: live.token, fetch: faults.fetch });
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'steps-503' });
    const agentsId = crypto.randomUUID();
    faults.failNext('episodes.logSteps', 'SERVICE_UNAVAILABLE');
    const logged = await memory.episodes.logSteps(episode.id, [
      { action: 'run_tests', success: false },
      { action: 'edit_file', id: agentsId },
    ]);
    faults.failNext('episodes.logSteps', 'SERVICE_UNAVAILABLE');
    const one = await memory.episodes.logStep(episode.id, { action: 'run_tests', success: true });

    const firstTries = faults.failed.map(({ input }) => (input as { steps: { id: string }[] }).steps);
    expect(firstTries.map((steps) => steps.map((step) => step.id))).toEqual([
      [logged[0]?.id, agentsId],
      [one.id],
    ]);
    const stored = await memory.episodes.get(episode.id);
    expect(stored?.steps.map((step) => [step.id, step.action])).toEqual([
      [logged[0]?.id, 'run_tests'],
      [agentsId, 'edit_file'],
      [one.id, 'run_tests'],
    ]);
  });

  it('replays steps whose answer was lost, and stores each once', async () => {
    const memory = createRemoteMemory({ url: live.proxy.url, token: live.token });
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'steps-dropped' });
    // The server stores the batch; its answer never reaches the client.
    live.proxy.dropNext('episodes.logSteps');
    const logged = await memory.episodes.logSteps(episode.id, [
      { action: 'read_file' },
      { action: 'edit_file' },
    ]);
    expect(live.proxy.dropped.at(-1)).toContain('episodes.logSteps');
    const stored = await memory.episodes.get(episode.id);
    expect(stored?.steps.map((step) => [step.id, step.action])).toEqual(
      logged.map((step) => [step.id, step.action]),
    );
    expect(stored?.steps).toHaveLength(2);
  });

  it('sends steps for an episode the server does not know (404) once', async () => {
    const { sent, counting } = countingFetch();
    const memory = createRemoteMemory({ url: live.server.url, token: live.token, fetch: counting });
    const missing = '01900000-0000-7000-8000-000000000000';
    const error = await memory.episodes.logStep(missing, { action: 'x' }).then(
      () => null,
      (caught: { data?: { httpStatus?: number } }) => caught,
    );
    expect(error?.data?.httpStatus).toBe(404);
    expect(sent.filter((url) => url.includes('episodes.logSteps'))).toHaveLength(1);
  });
});

describe('replays after a connection closed before any answer', () => {
  it('replays reads and idempotent mutations, a start with the id the client gave it among them', async () => {
    const client = createEpisodicClient({ url: live.proxy.url, token: live.token });
    const admin = createEpisodicClient({ url: live.proxy.url, token: live.server.adminToken });
    const memory = createRemoteMemory({ url: live.proxy.url, token: live.token });
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'replay', context: 'once' });

    live.proxy.refuseNext('search.text');
    expect(await client.search.text.query({ text: 'once' })).toEqual([
      expect.objectContaining({ episode: expect.objectContaining({ id: episode.id }) }),
    ]);
    live.proxy.refuseNext('episodes.get');
    expect((await memory.episodes.get(episode.id))?.id).toBe(episode.id);
    live.proxy.refuseNext('admin.forget');
    expect((await admin.admin.forget.mutate({ episodeIds: [episode.id] })).episodeIds).toEqual([episode.id]);
    live.proxy.refuseNext('admin.purge');
    expect((await admin.admin.purge.mutate()).pendingSince).toBeNull();
    expect(live.proxy.refused).toHaveLength(4);

    // The first try may have run (here its answer is lost): the replay, with the same id, starts no second episode.
    live.proxy.dropNext('episodes.start');
    const started = await memory.episodes.start({ taskType: 'debugging', domain: 'replay' });
    expect(live.proxy.dropped.at(-1)).toContain('episodes.start');
    live.proxy.refuseNext('episodes.start');
    const other = await memory.episodes.start({ taskType: 'testing', domain: 'replay' });
    expect(live.proxy.refused).toHaveLength(5);
    expect((await memory.episodes.list({ domain: 'replay' })).items.map((item) => item.id)).toEqual([
      other.id,
      started.id,
    ]);
  });

  it('replays an end whose answer was lost: the server answers the end it already has', async () => {
    const memory = createRemoteMemory({ url: live.proxy.url, token: live.token });
    const completed = await memory.episodes.start({ taskType: 'debugging', domain: 'end-replay' });
    live.proxy.dropNext('episodes.complete');
    const outcome = await memory.episodes.complete(completed.id, { status: 'failed', successRate: 0.25 });
    expect(live.proxy.dropped.at(-1)).toContain('episodes.complete');
    expect(outcome).toMatchObject({ id: completed.id, status: 'failed', successRate: 0.25 });

    const archived = await memory.episodes.start({ taskType: 'debugging', domain: 'end-replay' });
    live.proxy.dropNext('episodes.archive');
    expect(await memory.episodes.archive(archived.id)).toMatchObject({ id: archived.id, status: 'archived' });
    expect(live.proxy.dropped.at(-1)).toContain('episodes.archive');
  });

  it('never replays a mutation that is not idempotent', async () => {
    const memory = createRemoteMemory({ url: live.proxy.url, token: live.token });
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'no-replay' });
    // Counting a pattern's use twice would count it twice, and the first try may have run.
    const refusedBefore = live.proxy.refused.length;
    live.proxy.refuseNext('patterns.recordUsage');
    const error = await memory.patterns
      .recordUsage('no-such-pattern', { episodeId: episode.id, helped: true })
      .catch((caught: unknown) => caught);
    // Replayed, it would have reached the server and been answered NOT_FOUND.
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toBeUndefined();
    expect(live.proxy.refused).toHaveLength(refusedBefore + 1);
  });
});

describe('failures that are not a lost connection', () => {
  it('drops a step JSON cannot write at once, without retrying it, and the episode still completes', async () => {
    const { sent, counting } = countingFetch();
    const client = createEpisodicClient({
      url: live.server.url,
      token: live.token,
      fetch: counting,
      steps: { flushIntervalMs: 60_000 },
    });
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'unwritable-step' });
    // A BigInt: JSON.stringify throws before anything is sent; it used to pass for a lost connection.
    episode.step({ action: 'count_rows', result: 7n as unknown as string });
    await expect(episode.flush()).rejects.toThrow(/BigInt/);
    expect(episode.pending).toBe(0);
    episode.step({ action: 'count_rows', result: '7' });
    const completed = await episode.complete({ status: 'completed' });
    expect(completed.status).toBe('completed');
    expect(sent.filter((url) => url.includes('episodes.logSteps'))).toHaveLength(1);
    const read = await client.episodes.get.query({ episodeId: episode.id });
    expect(read.steps.map((step) => [step.action, step.result])).toEqual([['count_rows', '7']]);
  });

  it('says when the url answers with something other than the API, with its status, and asks once', async () => {
    const { sent, counting } = countingFetch();
    // A wrong url: the server is there, the API is not.
    const memory = createRemoteMemory({ url: `${live.server.url}/api`, token: live.token, fetch: counting });
    const { error, cause } = await clientRefusal(
      memory.episodes.start({ taskType: 'debugging', domain: 'wrong-url' }),
    );
    expect(cause.code).toBe('UNEXPECTED_ANSWER');
    expect(cause.status).toBeGreaterThanOrEqual(400);
    expect(error.message).toMatch(/\/api\/trpc\/episodes\.start answered 4\d\d with .*check the url/);
    expect(isTransient(error)).toBe(false);
    expect(sent).toHaveLength(1);
  });

  it("tries again after a live.proxy's 502 page, as after the server's own 502", async () => {
    const sent: string[] = [];
    const behindProxy: typeof fetch = (input, init) => {
      sent.push(String(input));
      return sent.length === 1
        ? Promise.resolve(
            new Response('<html><body><h1>502 Bad Gateway</h1></body></html>', {
              status: 502,
              headers: { 'content-type': 'text/html' },
            }),
          )
        : fetch(input, init);
    };
    const memory = createRemoteMemory({ url: live.server.url, token: live.token, fetch: behindProxy });
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'live.proxy-502' });
    expect(episode.status).toBe('active');
    expect(sent).toHaveLength(2);
  });
});

describe('timeoutMs', () => {
  it('gives up on a request the server never answers, with TIMEOUT, and does not send it again', async () => {
    // A server that takes the request and never answers (hung, or stuck behind a long lock).
    const requests: string[] = [];
    const hung = createHttpServer((req) => requests.push(req.url ?? ''));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const { port } = hung.address() as AddressInfo;
    try {
      const memory = createRemoteMemory({
        url: `http://127.0.0.1:${port}`,
        token: live.token,
        timeoutMs: 300,
      });
      const { error, cause } = await clientRefusal(
        memory.episodes.start({ taskType: 'debugging', domain: 'hung' }),
      );
      expect(cause.code).toBe('TIMEOUT');
      expect(error.message).toMatch(/\/trpc\/episodes\.start gave no answer within 300 ms \(timeoutMs\)/);
      expect(isTransient(error)).toBe(false);
      expect(requests).toHaveLength(1);
    } finally {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  it('leaves calls that are answered in time as they are', async () => {
    const memory = createRemoteMemory({ url: live.server.url, token: live.token, timeoutMs: 30_000 });
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'timely' });
    expect((await memory.episodes.get(episode.id))?.id).toBe(episode.id);
  });
});

describe('withRetries and a signal', () => {
  it('stops waiting for the next try once the signal aborts, and makes that try at once', async () => {
    // What the server answers a busy database with: transient, worth another try later.
    const busy = new TRPCClientError<AppRouter>('busy', {
      result: {
        error: {
          message: 'busy',
          code: -32603,
          data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503, path: 'episodes.start', issues: null },
        },
      },
    });
    const controller = new AbortController();
    const tries: boolean[] = [];
    const retried = withRetries(
      { retries: 3, delayMs: 600_000 },
      async () => {
        tries.push(controller.signal.aborted);
        // The abort comes while the retry waits; the next try is the call's own to refuse.
        if (controller.signal.aborted) throw new Error('refused: aborted');
        setTimeout(() => controller.abort(), 50);
        throw busy;
      },
      controller.signal,
    );
    const outcome = await Promise.race([
      retried.catch((error: unknown) => error),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
    ]);
    expect(outcome).toEqual(new Error('refused: aborted'));
    expect(tries).toEqual([false, true]);
  });
});
