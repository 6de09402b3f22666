import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientRefusal } from './__fixtures__/client-refusal.js';
import { createEpisodicClient, createRemoteMemory, isTransient } from './index.js';

const token = 'ep_00000000-0000-7000-8000-000000000000_secret';

/** A loopback port nothing listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server that reads each request whole, then dies with it: it closes the connection unanswered. */
async function dyingServer(): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((req) => {
    requests.push(req.url ?? '');
    req.resume();
    req.on('end', () => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

describe('a request that got no answer', () => {
  it('is UNREACHABLE when no server listens, naming the url and the reason, fetch’s error kept', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { error, cause } = await clientRefusal(createRemoteMemory({ url, token }).episodes.list());
    expect(cause.code).toBe('UNREACHABLE');
    expect(error.message).toBe(
      `Cannot reach ${url}/trpc/episodes.list (connect ECONNREFUSED ${url.slice('http://'.length)}): the request was not sent. Check that the Episodic server runs there and that the url is right.`,
    );
    expect(cause.cause).toBeInstanceOf(TypeError);
    expect(error.data).toBeUndefined();
    // Nothing was sent: worth sending again.
    expect(isTransient(error)).toBe(true);
  });

  it('is UNREACHABLE for a port fetch refuses itself', async () => {
    // 6000 is on the WHATWG list of blocked ports: fetch refuses it without a system code.
    const { cause } = await clientRefusal(
      createEpisodicClient({ url: 'http://127.0.0.1:6000', token }).session.whoami.query(),
    );
    expect(cause.code).toBe('UNREACHABLE');
    expect(cause.message).toMatch(
      /^Cannot reach http:\/\/127\.0\.0\.1:6000\/trpc\/session\.whoami \(bad port\)/,
    );
  });

  it('is CONNECTION_LOST when the server took the request and its connection closed unanswered', async () => {
    const dying = await dyingServer();
    try {
      const memory = createRemoteMemory({ url: dying.url, token });
      // A mutation that is not idempotent is sent once: the first try may have run.
      const used = await clientRefusal(
        memory.patterns.recordUsage('p', { episodeId: '01936f3e-0000-7000-8000-000000000000', helped: true }),
      );
      expect(used.cause.code).toBe('CONNECTION_LOST');
      expect(used.error.message).toBe(
        `The connection to ${dying.url}/trpc/patterns.recordUsage closed before its answer came (other side closed): the server may have stopped or restarted, and may have run the calls it was sent.`,
      );
      expect(dying.requests).toHaveLength(1);
      // A read is replayed twice first, and then says the same.
      const listed = await clientRefusal(memory.episodes.list());
      expect(listed.cause.code).toBe('CONNECTION_LOST');
      expect(dying.requests).toHaveLength(1 + 3);
      expect(isTransient(listed.error)).toBe(true);
    } finally {
      dying.server.closeAllConnections();
      await new Promise((resolve) => dying.server.close(resolve));
    }
  });
});
