import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { defaultMaxConnections, headersTimeoutMs } from '../src/http/connection-limits.js';
import { startTestServer } from './__fixtures__/test-server.js';

/** A connection that sends the start of a request line and nothing more, as a slow or hostile client does. */
async function partialRequest(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
  return socket;
}

/**
 * `/healthz`'s status on a connection of its own, or null when the connection is refused or no
 * answer comes within 5 s: fetch's pool sends a request again on a new connection when one closes
 * before it was written, so against a server at its bound it waited for ever.
 */
const healthz = (url: string) =>
  new Promise<number | null>((resolve) => {
    const request = get(`${url}/healthz`, { agent: false, timeout: 5_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? null);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
  });

const closed = (socket: Socket) =>
  new Promise<string>((resolve) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.once('close', () => resolve(received));
  });

describe('connections', () => {
  it('default to half the open-file limit, at most 10,000, at least 64', () => {
    expect(defaultMaxConnections(1_048_576)).toBe(10_000);
    expect(defaultMaxConnections(1_024)).toBe(512);
    expect(defaultMaxConnections(100)).toBe(64);
    expect(defaultMaxConnections(null)).toBe(4_096);
  });

  it('past maxConnections are refused, counted, and served again once the others close', async () => {
    await using t = await startTestServer({ maxConnections: 20, miners: [], embeddings: 'none' });
    const held = await Promise.all(Array.from({ length: 20 }, () => partialRequest(t.url)));
    // The 21st is closed unanswered (not after the 20 s headers bound, with a 408): before,
    // connections were taken until the process ran out of open files (20,000 in the audit), and
    // the store's own files with them.
    const started = performance.now();
    expect(await closed(await partialRequest(t.url))).toBe('');
    expect(performance.now() - started).toBeLessThan(15_000);
    for (const socket of held) socket.destroy();
    await expect.poll(() => healthz(t.url), { timeout: 30_000, interval: 100 }).toBe(200);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(Number(/^episodic_http_connections_dropped_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  }, 60_000);

  it('that never finish their headers are answered 408 and closed within headersTimeoutMs', async () => {
    await using t = await startTestServer({ miners: [], embeddings: 'none' });
    const started = performance.now();
    const socket = await partialRequest(t.url);
    const answer = await closed(socket);
    const seconds = (performance.now() - started) / 1000;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    // Node's own bound (60 s, checked every 30 s) held such a connection 60–90 s.
    expect(seconds).toBeGreaterThanOrEqual(headersTimeoutMs / 1000 - 1);
    expect(seconds).toBeLessThan(50);
  }, 90_000);
});
