import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from './__fixtures__/cli-process.js';
import { recordEvents } from './__fixtures__/event-recorder.js';
import { createTestClient } from './__fixtures__/test-server.js';

const dir = mkdtempSync(join(tmpdir(), 'episodic-shutdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('SIGTERM', () => {
  it('drains the request in flight, ends subscriptions, closes the store and exits 0', async () => {
    const serve = spawnCli(['serve', '--port', '0', '--data-dir', dir, '--drain-timeout-ms', '60000']);
    const url = (await serve.waitFor(/listening on (http:\/\/127\.0\.0\.1:(\d+))/))[1] as string;
    await serve.waitFor(/admin token in/);
    const port = Number(new URL(url).port);
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const client = createTestClient(url, token);
    const episode = await client.episodes.start.mutate({ taskType: 'testing', domain: 'web' });
    const subscription = recordEvents(client);
    await subscription.started;

    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({ episodeId: episode.id, steps: [{ action: 'logged while stopping' }] });
    const socket = connect(port, '127.0.0.1');
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      `POST /trpc/episodes.logSteps HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    // In flight: the subscription, the half-sent request and the scrape itself.
    await expect
      .poll(
        async () =>
          /episodic_http_requests_in_flight (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())?.[1],
        {
          timeout: 30_000,
        },
      )
      .toBe('3');

    serve.child.kill('SIGTERM');
    await expect.poll(() => connectionRefused(port), { timeout: 30_000 }).toBe(true);
    socket.write(body.slice(10));
    await socketClosed;
    expect(response).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(response).toMatch(/connection: close/i);
    expect(response).toContain('"logged while stopping"');

    expect(await serve.exited).toBe(0);
    expect(serve.stderr()).toMatch(/SIGTERM: draining[\s\S]*Stopped cleanly/);
    // Subscriptions are ended first, so they never hold the drain open; ended as unavailable,
    // so the client connects again (events.test.ts), here to nothing.
    subscription.stop();

    const memory = await openMemory({ url: `file:${join(dir, 'memory.db')}` });
    const stored = await memory.episodes.get(episode.id);
    await memory.close();
    expect(stored?.steps.map((step) => step.action)).toEqual(['logged while stopping']);
    const raw = createClient({ url: `file:${join(dir, 'memory.db')}` });
    expect((await raw.execute('PRAGMA integrity_check')).rows[0]?.integrity_check).toBe('ok');
    raw.close();
  });
});
