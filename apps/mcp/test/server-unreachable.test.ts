import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { episodicMcp } from './__fixtures__/bin.js';
import { callFailing, stackFrame } from './__fixtures__/debugging-scenario.js';

/** A loopback port nothing listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const client = new Client({ name: 'unreachable-test', version: '0.0.0' });

beforeAll(async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [episodicMcp, '--url', `http://127.0.0.1:${await closedPort()}`],
    env: { PATH: process.env.PATH ?? '', EPISODIC_TOKEN: 'ep_00000000-0000-7000-8000-000000000000_secret' },
    stderr: 'pipe',
  });
  await client.connect(transport);
}, 60_000);

afterAll(async () => {
  await client.close();
});

it('tells the agent the server did not answer, not that the server refused the call', async () => {
  const answers = [
    await callFailing(client, 'memory_recall', { task: 'npm test fails on a fresh checkout' }),
    await callFailing(client, 'memory_start_episode', {
      task: 'fix the build',
      taskType: 'debugging',
      domain: 'shop',
    }),
  ];
  for (const text of answers) {
    expect(text).toMatch(/^NETWORK: no answer from the Episodic server \(fetch failed: ECONNREFUSED\)/);
    expect(text).not.toMatch(stackFrame);
  }
});

it('fails resource reads and lists as the server not answering, not as a wrong request', async () => {
  // The protocol's codes: -32602 (InvalidParams) would tell the client its request was wrong.
  const internalError = -32603;
  await expect(client.listResources()).rejects.toMatchObject({
    code: internalError,
    message: expect.stringMatching(
      /NETWORK: no answer from the Episodic server \(fetch failed: ECONNREFUSED\)/,
    ),
  });
  await expect(
    client.readResource({ uri: 'episode://01936f3e-0000-7000-8000-000000000000' }),
  ).rejects.toMatchObject({
    code: internalError,
    message: expect.stringMatching(/NETWORK: no answer from the Episodic server/),
  });
});

it('names the reason when fetch itself refuses the address', async () => {
  // Port 6000 is on fetch's blocked list: a server can listen there, no SDK call can reach it.
  const blocked = new Client({ name: 'blocked-port-test', version: '0.0.0' });
  await blocked.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [episodicMcp, '--url', 'http://127.0.0.1:6000'],
      env: { PATH: process.env.PATH ?? '', EPISODIC_TOKEN: 'ep_00000000-0000-7000-8000-000000000000_secret' },
      stderr: 'pipe',
    }),
  );
  try {
    const text = await callFailing(blocked, 'memory_recall', { task: 'npm test fails on a fresh checkout' });
    expect(text).toMatch(/^NETWORK: no answer from the Episodic server \(fetch failed: bad port\)/);
  } finally {
    await blocked.close();
  }
}, 60_000);

it('says when something other than an Episodic server answers at the url', async () => {
  // Another web service on that port: it answers, with its own 404 page.
  const other = createHttpServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>Not Found</body></html>');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const { port } = other.address() as { port: number };
  const misdirected = new Client({ name: 'wrong-url-test', version: '0.0.0' });
  await misdirected.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [episodicMcp, '--url', `http://127.0.0.1:${port}`],
      env: { PATH: process.env.PATH ?? '', EPISODIC_TOKEN: 'ep_00000000-0000-7000-8000-000000000000_secret' },
      stderr: 'pipe',
    }),
  );
  try {
    const text = await callFailing(misdirected, 'memory_recall', {
      task: 'npm test fails on a fresh checkout',
    });
    expect(text).toMatch(
      /^UNEXPECTED_ANSWER: http:\/\/127\.0\.0\.1:\d+\/trpc\/search\.retrieve answered 404 with text\/html/,
    );
  } finally {
    await misdirected.close();
    await new Promise((resolve) => other.close(resolve));
  }
}, 60_000);
