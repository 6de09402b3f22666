import { connect, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startTestServer, type TestClient } from './__fixtures__/test-server.js';

/** Opens `events.onEpisode` on a raw socket and resolves once the stream has said it is connected. */
async function subscribe(url: string, token: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.write(
    `GET /trpc/events.onEpisode HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n` +
      `Authorization: Bearer ${token}\r\n\r\n`,
  );
  let head = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      head += chunk.toString();
      if (!head.includes('event: connected')) return;
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData).once('error', reject);
  });
  expect(head).toMatch(/^HTTP\/1\.1 200/);
  return socket;
}

interface Drained {
  bytes: number;
  /** The stream's first error event, if one came. */
  error: string | null;
  sawSentinel: boolean;
}

/** Reads the rest of the stream until its error event or `sentinel`, keeping counts, not text. */
function drain(socket: Socket, sentinel: string): Promise<Drained> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    // Markers may straddle chunks: look in the tail of the last chunk too.
    let tail = '';
    const finish = (result: Omit<Drained, 'bytes'>) => {
      socket.destroy();
      resolve({ bytes, ...result });
    };
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      const text = tail + chunk.toString('latin1');
      // Chunked transfer encoding frames each line of an event on its own.
      const error = /event: serialized-error\n[\s\S]*?data: ([^\n]*)\n/.exec(text);
      if (error !== null) return finish({ error: error[1] ?? '', sawSentinel: false });
      if (text.includes(sentinel)) return finish({ error: null, sawSentinel: true });
      tail = text.slice(-4096);
    });
    socket.once('end', () => finish({ error: null, sawSentinel: false })).once('error', reject);
    socket.resume();
  });
}

/**
 * Rejections no one handled while the test ran. An error a subscription throws while tRPC is
 * still writing its previous event to a slow client was one, and it ends `episodic serve` (it
 * did, 2 runs of 2).
 */
function watchUnhandled(): unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  onTestFinished(() => void process.off('unhandledRejection', onUnhandled));
  return unhandled;
}

/** `calls` logSteps calls of 100 steps of 60,000 characters: a `steps` event of 6 MB each. */
async function logLargeSteps(admin: TestClient, episodeId: string, calls: number): Promise<void> {
  const result = 'x'.repeat(60_000);
  for (let call = 0; call < calls; call += 1)
    await admin.episodes.logSteps.mutate({
      episodeId,
      steps: Array.from({ length: 100 }, (_, step) => ({ action: `call ${call} step ${step}`, result })),
    });
}

describe('a subscriber that stops reading', () => {
  it('is ended once 16 MiB of events wait for it, so the server does not hold what it never reads', async () => {
    const unhandled = watchUnhandled();
    await using t = await startTestServer({ miners: [], embeddings: 'none' });
    const admin = t.client(t.adminToken);
    const socket = await subscribe(t.url, t.adminToken);
    // The client stops reading: once the kernel's buffers are full, events wait in the server.
    socket.pause();

    const episode = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    const calls = 16;
    await logLargeSteps(admin, episode.id, calls);
    // 16 events of 6 MB each: 96 MB the client never read. A last event after them.
    const sentinel = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });

    const drained = await drain(socket, sentinel.id);
    // It was ended (and may subscribe again) instead of receiving all of it, late.
    expect(drained.sawSentinel).toBe(false);
    expect(drained.error).toContain('TOO_MANY_REQUESTS');
    // What reached it: the events already in flight (kernel buffers) and at most 16 MiB waiting.
    expect(drained.bytes).toBeLessThan((calls * 6_000_000) / 2);
    // A new subscription works at once and gets new events.
    const again = await subscribe(t.url, t.adminToken);
    const next = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    expect(await drain(again, next.id)).toMatchObject({ error: null, sawSentinel: true });
    expect(unhandled).toEqual([]);
  }, 120_000);

  it('has its connection ended when, past 16 MiB behind, it still reads nothing', async () => {
    const unhandled = watchUnhandled();
    await using t = await startTestServer({ miners: [], embeddings: 'none' });
    const admin = t.client(t.adminToken);
    const socket = await subscribe(t.url, t.adminToken);
    socket.pause();
    const subscribers = async () =>
      /^episodic_event_subscribers (\d+)$/m.exec(await (await fetch(`${t.url}/metrics`)).text())?.[1];
    expect(await subscribers()).toBe('1');
    const episode = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    await logLargeSteps(admin, episode.id, 16);
    // Before, it stayed connected and counted, holding what was written towards it, until the
    // client closed its socket: for as long as it lived.
    await expect.poll(subscribers, { timeout: 60_000, interval: 500 }).toBe('0');
    socket.destroy();
    expect(unhandled).toEqual([]);
  }, 120_000);

  it('is ended with UNAUTHORIZED when its token is revoked while an event is still being written to it', async () => {
    const unhandled = watchUnhandled();
    await using t = await startTestServer({ miners: [], embeddings: 'none' });
    const admin = t.client(t.adminToken);
    const watcher = await t.server.memory.tokens.create({ name: 'watcher', scopes: ['read'] });
    const socket = await subscribe(t.url, watcher.bearer);
    socket.pause();
    const episode = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    // More than the kernel's buffers hold: the server is still writing these when the token goes.
    await logLargeSteps(admin, episode.id, 4);
    await t.server.memory.tokens.revoke(watcher.token.id);
    // The next event finds the token revoked, while the previous ones still wait for the client.
    const sentinel = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'web' });
    const drained = await drain(socket, sentinel.id);
    expect(drained.sawSentinel).toBe(false);
    expect(drained.error).toContain('UNAUTHORIZED');
    expect(unhandled).toEqual([]);
  }, 120_000);
});
