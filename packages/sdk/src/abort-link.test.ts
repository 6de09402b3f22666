import { describe, expect, it, vi } from 'vitest';
import { abortedCall, countingFetch } from './__fixtures__/aborted-call.js';
import { failingFetch } from './__fixtures__/failing-fetch.js';
import { proxiedServerForFile } from './__fixtures__/proxied-server.js';
import { createEpisodicClient, createRemoteMemory, type RemoteMemory } from './index.js';

const live = proxiedServerForFile();

describe('a RemoteMemory call aborted by its signal', () => {
  it('rejects at once with ABORTED and the signal’s reason while a live.proxy holds its answer', async () => {
    const { sent, counting } = countingFetch();
    const memory = createRemoteMemory({ url: live.proxy.url, token: live.token, fetch: counting });
    live.proxy.withhold(true);
    try {
      const controller = new AbortController();
      const call = memory.search.retrieve({ text: 'checkout TypeError' }, { signal: controller.signal });
      await vi.waitFor(() => expect(sent).toHaveLength(1));
      const reason = new Error('the agent moved on');
      const abortedAt = performance.now();
      controller.abort(reason);
      const { error, cause } = await abortedCall(call);
      expect(performance.now() - abortedAt).toBeLessThan(2_000);
      expect(cause.cause).toBe(reason);
      expect(error.message).toBe(
        'search.retrieve was aborted (the agent moved on); if its request was already sent, the server may still run it.',
      );
      expect(error.data).toBeUndefined();
    } finally {
      live.proxy.withhold(false);
    }
  });

  it('sends nothing for a signal already aborted, at every method', async () => {
    const { sent, counting } = countingFetch();
    const memory = createRemoteMemory({
      url: live.server.url,
      token: live.server.adminToken,
      fetch: counting,
    });
    const signal = AbortSignal.abort(new Error('cancelled'));
    const id = '01936f3e-0000-7000-8000-000000000000';
    const options = { signal };
    const calls: { [N in keyof RemoteMemory]: Record<keyof RemoteMemory[N], () => Promise<unknown>> } = {
      episodes: {
        start: () => memory.episodes.start({ taskType: 'debugging', domain: 'web' }, options),
        logSteps: () => memory.episodes.logSteps(id, [{ action: 'run_tests' }], options),
        logStep: () => memory.episodes.logStep(id, { action: 'run_tests' }, options),
        complete: () => memory.episodes.complete(id, { status: 'completed' }, options),
        archive: () => memory.episodes.archive(id, options),
        record: () => memory.episodes.record([{ id, taskType: 'debugging', domain: 'web' }], options),
        get: () => memory.episodes.get(id, options),
        steps: () => memory.episodes.steps(id, {}, options),
        list: () => memory.episodes.list({}, options),
      },
      search: {
        text: () => memory.search.text({ text: 'x' }, options),
        retrieve: () => memory.search.retrieve({ text: 'x' }, options),
      },
      patterns: {
        list: () => memory.patterns.list({}, options),
        get: () => memory.patterns.get('p', options),
        relevant: () => memory.patterns.relevant({}, options),
        recordUsage: () => memory.patterns.recordUsage('p', { episodeId: id, helped: true }, options),
      },
      learning: {
        status: () => memory.learning.status(options),
        flush: () => memory.learning.flush({}, options),
        retryFailed: () => memory.learning.retryFailed(options),
        retire: () => memory.learning.retire('embeddings', options),
      },
    };
    for (const [namespace, methods] of Object.entries(calls)) {
      // Every method the client has is called: one added without a signal fails here.
      expect(Object.keys(methods).sort()).toEqual(
        Object.keys(memory[namespace as keyof RemoteMemory]).sort(),
      );
      for (const [name, call] of Object.entries(methods)) {
        const { cause, error } = await abortedCall(call());
        expect(cause.cause, `${namespace}.${name}`).toBe(signal.reason);
        expect(error.message).toMatch(/ was aborted \(cancelled\)/);
      }
    }
    expect(sent).toEqual([]);
  });

  it('stops a start’s retries: no try is sent after the abort', async () => {
    const faults = failingFetch();
    const memory = createRemoteMemory({ url: live.server.url, token: live.token, fetch: faults.fetch });
    // Every try answered 503, which the start would send again for 1.5 s.
    faults.failNext('episodes.start', 'SERVICE_UNAVAILABLE', 5);
    const controller = new AbortController();
    const call = memory.episodes.start(
      { taskType: 'debugging', domain: 'aborted-start' },
      {
        signal: controller.signal,
      },
    );
    await vi.waitFor(() => expect(faults.failed).toHaveLength(1));
    controller.abort();
    await abortedCall(call);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(faults.failed).toHaveLength(1);
    expect((await memory.episodes.list({ domain: 'aborted-start' })).items).toEqual([]);
  });
});

describe('a call aborted while it shares a request', () => {
  it('rejects at once; the other calls of its request still get their answers', async () => {
    // A slow network: every request waits for `open` before it goes to the real server.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const sent: string[] = [];
    const slow: typeof fetch = async (input, init) => {
      sent.push(String(input));
      await gate;
      return fetch(input, init);
    };
    const client = createEpisodicClient({ url: live.server.url, token: live.token, fetch: slow });
    const controller = new AbortController();
    // Made in the same tick: one HTTP request carries both.
    const aborted = client.episodes.list.query({}, { signal: controller.signal });
    const other = client.session.whoami.query();
    await vi.waitFor(() => expect(sent).toEqual([expect.stringContaining('/episodes.list,session.whoami')]));
    controller.abort();
    await abortedCall(aborted);
    open();
    expect((await other).token.name).toBe('agent');
  });
});
