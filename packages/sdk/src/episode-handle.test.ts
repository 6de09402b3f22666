import { describe, expect, it, vi } from 'vitest';
import { abortedCall, countingFetch } from './__fixtures__/aborted-call.js';
import { proxiedServerForFile } from './__fixtures__/proxied-server.js';
import { createEpisodicClient, createRemoteMemory } from './index.js';

const live = proxiedServerForFile();

/** No timer sends: each test says when steps go. */
const quiet = { flushIntervalMs: 60_000 };

/** A client through the proxy (whose answers a test may hold), with the URLs it sent. */
function proxiedClient() {
  const { sent, counting } = countingFetch();
  return {
    sent,
    client: createEpisodicClient({ url: live.proxy.url, token: live.token, fetch: counting, steps: quiet }),
  };
}

const calling = (procedure: string) => (url: string) => url.includes(`/trpc/${procedure}`);

/** A `fetch` to the real server that holds every request to `procedure` until `open()`. */
function gatedFetch(procedure: string) {
  const sent: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const gated: typeof fetch = async (input, init) => {
    const url = String(input);
    sent.push(url);
    if (calling(procedure)(url)) await gate;
    return fetch(input, init);
  };
  return { sent, gated, open };
}

/** The episode as the server has it, read past the proxy. */
const direct = () => createRemoteMemory({ url: live.server.url, token: live.token });

describe('an EpisodeHandle call aborted by its signal', () => {
  it('rejects a flush at once while its answer is held; its steps stay and go again, stored once', async () => {
    const { sent, client } = proxiedClient();
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    const ids = [
      episode.step({ action: 'run_tests', success: false }),
      episode.step({ action: 'edit_file' }),
    ];
    live.proxy.withhold(true);
    try {
      const controller = new AbortController();
      const flushed = episode.flush({ signal: controller.signal });
      // The server stored the batch; only its answer is held back.
      await vi.waitFor(async () => expect((await direct().episodes.get(episode.id))?.stepCount).toBe(2), {
        timeout: 30_000,
      });
      const reason = new Error('the agent moved on');
      controller.abort(reason);
      const { error, cause } = await abortedCall(flushed);
      expect(cause.cause).toBe(reason);
      expect(error.message).toMatch(/^episodes\.logSteps was aborted \(the agent moved on\)/);
      expect(episode.pending).toBe(2);
    } finally {
      live.proxy.withhold(false);
    }
    const stored = await episode.flush();
    expect(stored.map((step) => [step.id, step.stepNumber])).toEqual([
      [ids[0], 1],
      [ids[1], 2],
    ]);
    expect(sent.filter(calling('episodes.logSteps'))).toHaveLength(2);
    expect((await direct().episodes.get(episode.id))?.steps.map((step) => step.id)).toEqual(ids);
  });

  it('rejects a flush aborted while it waits for an earlier batch, sends nothing of its own, and holds up no later call', async () => {
    const { sent, gated, open } = gatedFetch('episodes.logSteps');
    const client = createEpisodicClient({
      url: live.server.url,
      token: live.token,
      fetch: gated,
      steps: quiet,
    });
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    const first = episode.step({ action: 'run_tests' });
    const earlier = episode.flush();
    await vi.waitFor(() => expect(sent.filter(calling('episodes.logSteps'))).toHaveLength(1));
    const second = episode.step({ action: 'edit_file' });
    const controller = new AbortController();
    const waiting = episode.flush({ signal: controller.signal });
    controller.abort(new Error('cancelled'));
    await abortedCall(waiting);
    const later = episode.flush();
    expect(sent.filter(calling('episodes.logSteps'))).toHaveLength(1);
    open();
    // The earlier flush sends what was recorded while its batch was under way, the second step too.
    expect((await earlier).map((step) => step.id)).toEqual([first, second]);
    await expect(later).resolves.toEqual([]);
    expect(sent.filter(calling('episodes.logSteps'))).toHaveLength(2);
    expect((await episode.complete({ status: 'completed' })).status).toBe('completed');
  });

  it('sends nothing for a signal already aborted: startEpisode, flush and complete; the episode still takes steps', async () => {
    const { sent, counting } = countingFetch();
    const client = createEpisodicClient({
      url: live.server.url,
      token: live.token,
      fetch: counting,
      steps: quiet,
    });
    const signal = AbortSignal.abort(new Error('cancelled'));
    const refused = await abortedCall(
      client.startEpisode({ taskType: 'debugging', domain: 'web' }, { signal }),
    );
    expect(refused.cause.cause).toBe(signal.reason);
    expect(sent).toEqual([]);
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    episode.step({ action: 'run_tests' });
    const before = sent.length;
    for (const call of [episode.flush({ signal }), episode.complete({ status: 'completed' }, { signal })]) {
      const { cause } = await abortedCall(call);
      expect(cause.cause).toBe(signal.reason);
    }
    expect(sent).toHaveLength(before);
    expect(episode.pending).toBe(1);
    episode.step({ action: 'edit_file' });
    expect((await episode.complete({ status: 'completed' })).status).toBe('completed');
    expect((await direct().episodes.get(episode.id))?.stepCount).toBe(2);
  });

  it('rejects a complete at once while its answer is held; called again, it answers with the completed episode', async () => {
    const { sent, client } = proxiedClient();
    const episode = await client.startEpisode({ taskType: 'debugging', domain: 'web' });
    episode.step({ action: 'run_tests' });
    await episode.flush();
    live.proxy.withhold(true);
    try {
      const controller = new AbortController();
      const completing = episode.complete({ status: 'failed' }, { signal: controller.signal });
      // The server completed it; only the answer is held back.
      await vi.waitFor(async () => expect((await direct().episodes.get(episode.id))?.status).toBe('failed'), {
        timeout: 30_000,
      });
      controller.abort();
      const { error } = await abortedCall(completing);
      expect(error.message).toMatch(/^episodes\.complete was aborted/);
    } finally {
      live.proxy.withhold(false);
    }
    // The server answers the second completion with the end it already has.
    const completed = await episode.complete({ status: 'failed' });
    expect(completed).toMatchObject({ id: episode.id, status: 'failed' });
    expect(sent.filter(calling('episodes.complete'))).toHaveLength(2);
  });
});
