import { request as httpRequest, request } from 'node:http';
import { createRemoteMemory } from '@episodic/sdk';
import { startTestServer, type TestServer } from '@episodic/server/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEpisodicMcpServer } from '../src/create-mcp-server.js';
import { serveHttp } from '../src/transports/serve-http.js';
import {
  call,
  callFailing,
  episodeIdIn,
  newOccurrence,
  recordDebuggingEpisodes,
  stackFrame,
} from './__fixtures__/debugging-scenario.js';
import { type McpProcess, spawnHttpMcp } from './__fixtures__/spawn-mcp.js';

let server: TestServer;
let mcp: McpProcess;
const client = new Client({ name: 'http-test', version: '0.0.0' });

beforeAll(async () => {
  // A real `episodic serve`, and `episodic-mcp --http --url` in front of it: remote mode over HTTP.
  server = await startTestServer();
  mcp = await spawnHttpMcp(['--url', server.url], { EPISODIC_TOKEN: server.adminToken });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url)));
});

afterAll(async () => {
  await client.close();
  const code = await mcp.stop();
  await server.close();
  expect(code).toBe(0);
});

/** A raw HTTP POST to the MCP endpoint, with the headers given. */
function post(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
  });
}

describe('episodic-mcp over Streamable HTTP, remote', () => {
  it('runs the debugging scenario against a real server: memory_seen_error finds the fix', async () => {
    expect(mcp.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(mcp.stderr()).toContain(`serving remote ${server.url}`);
    const recorded = await recordDebuggingEpisodes(client, 'webapp');
    const answer = await call(client, 'memory_seen_error', { error: newOccurrence, domain: 'webapp' });
    expect(answer).toMatch(/^Seen before in webapp: 1 error-resolution pattern\(s\), 3 past occurrence\(s\)/);
    expect(answer).toMatch(/seen in 3 episodes, 3 succeeded/);
    expect(answer).toMatch(/edit_file src\/forms\/\w+\.ts → guarded it/);
    for (const id of recorded) expect(answer).toContain(id);
    // The episodes are the server's: read back through the SDK, not through the MCP server.
    const stored = await createRemoteMemory({ url: server.url, token: server.adminToken }).episodes.get(
      recorded[0] as string,
    );
    expect(stored?.steps).toHaveLength(4);
    const resource = await client.readResource({ uri: `episode://${recorded[0]}` });
    expect(JSON.parse((resource.contents[0] as { text: string }).text).steps).toHaveLength(4);
  });

  it('serves each client its own session and refuses foreign Host headers and unknown sessions', async () => {
    const second = new Client({ name: 'second', version: '0.0.0' });
    await second.connect(new StreamableHTTPClientTransport(new URL(mcp.url)));
    expect((await second.listTools()).tools).toHaveLength(6);
    await second.close();
    const port = new URL(mcp.url).port;
    // A page on evil.example resolving to 127.0.0.1 (DNS rebinding) sends its own name as Host.
    expect(
      await post(mcp.url, { host: `evil.example:${port}`, accept: 'application/json, text/event-stream' }),
    ).toBe(403);
    expect(
      await post(mcp.url, {
        'mcp-session-id': 'no-such-session',
        accept: 'application/json, text/event-stream',
      }),
    ).toBe(404);
  });

  it('answers a request target that is no URL with 400', async () => {
    // `new URL` threw on it: a 500, and "request failed: Invalid URL" in the log.
    const { port, hostname } = new URL(mcp.url);
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        { host: hostname, port, method: 'POST', path: 'http://[/mcp' },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(400);
  });

  it('closes a session its client left, and keeps one whose client still listens', async () => {
    const memory = createRemoteMemory({ url: server.url, token: server.adminToken });
    // Idle long enough that a loaded machine's pause between a client's requests is not idleness.
    const idleMs = 3_000;
    const http = await serveHttp(memory, { host: '127.0.0.1', port: 0, sessionIdleMs: idleMs });
    try {
      const leftTransport = new StreamableHTTPClientTransport(new URL(http.url));
      const leaving = new Client({ name: 'leaving', version: '0.0.0' });
      await leaving.connect(leftTransport);
      const left = leftTransport.sessionId as string;
      await leaving.close();
      const staying = new Client({ name: 'staying', version: '0.0.0' });
      await staying.connect(new StreamableHTTPClientTransport(new URL(http.url)));
      // Asking about the left session would be activity: one look, after the idle time and a sweep.
      await new Promise((resolve) => setTimeout(resolve, 2 * idleMs + 2_000));
      expect(
        await post(http.url, { 'mcp-session-id': left, accept: 'application/json, text/event-stream' }),
      ).toBe(404);
      expect((await staying.listTools()).tools).toHaveLength(6);
      await staying.close();
    } finally {
      await http.close();
    }
  });

  it('with a token scoped to one domain: server errors come back as tool errors, learning is left to the server', async () => {
    const token = await server.token({ name: 'agent', scopes: ['read', 'write'], domains: ['webapp'] });
    const scoped = new Client({ name: 'scoped', version: '0.0.0' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createEpisodicMcpServer(createRemoteMemory({ url: server.url, token })).connect(serverSide);
    await scoped.connect(clientSide);
    try {
      const refused = await callFailing(scoped, 'memory_start_episode', {
        task: 'deploy',
        taskType: 'debugging',
        domain: 'billing',
      });
      expect(refused).toMatch(/^FORBIDDEN: /);
      const invalid = await callFailing(scoped, 'memory_start_episode', {
        task: 'x',
        taskType: 'cooking',
        domain: 'webapp',
      });
      expect(invalid).toMatch(/^BAD_REQUEST: .*taskType/);
      for (const text of [refused, invalid]) expect(text).not.toMatch(stackFrame);

      const id = episodeIdIn(
        await call(scoped, 'memory_start_episode', {
          task: 'phone form',
          taskType: 'debugging',
          domain: 'webapp',
        }),
      );
      await call(scoped, 'memory_log_steps', {
        episodeId: id,
        steps: [{ action: 'npm test', result: newOccurrence, success: false }],
      });
      const done = await call(scoped, 'memory_complete_episode', {
        episodeId: id,
        status: 'failed',
        waitForLearning: true,
      });
      expect(done).toContain(
        `Episode ${id} failed, success 0%. Learning runs in the background on the server`,
      );
    } finally {
      await scoped.close();
    }
  });
});
