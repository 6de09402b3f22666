import { randomUUID } from 'node:crypto';
import { createRemoteMemory } from '@episodic/sdk';
import { startTestServer, type TestServer } from '@episodic/server/testing';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { call, episodeIdIn } from './__fixtures__/debugging-scenario.js';
import { type HoldingProxy, startHoldingProxy } from './__fixtures__/holding-proxy.js';
import { connectStdio, type StdioSession } from './__fixtures__/stdio-client.js';

// Calls the client cancels (notifications/cancelled) while the Episodic server, behind a proxy
// that holds one procedure's requests, never answers: the MCP server must let go of the request.

let server: TestServer;
let proxy: HoldingProxy;
let mcp: StdioSession;
let seeded: string;

/** Far longer than any test here: a request the MCP server still waited on would still be open. */
const timeoutMs = 120_000;
/** How long the MCP server may take to let go of a held request once its call is cancelled. */
const patienceMs = 10_000;

const failure =
  "TypeError: Cannot read properties of undefined (reading 'total')\n    at cartTotal (src/cart.ts:12:9)";
const connect = () =>
  connectStdio(['--url', proxy.url, '--timeout-ms', String(timeoutMs)], {
    EPISODIC_TOKEN: server.adminToken,
  });

beforeAll(async () => {
  server = await startTestServer();
  proxy = await startHoldingProxy(server.url);
  mcp = await connect();
  // A past episode for the reads to find, so that they go on to read its steps.
  const started = await call(mcp.client, 'memory_start_episode', {
    task: 'Checkout total is undefined',
    taskType: 'debugging',
    domain: 'shop',
  });
  seeded = episodeIdIn(started);
  await call(mcp.client, 'memory_log_steps', {
    episodeId: seeded,
    steps: [
      { action: 'npm test', result: failure, success: false },
      { action: 'edit_file src/cart.ts', result: 'await loadItems() before total()', success: true },
    ],
  });
  await call(mcp.client, 'memory_complete_episode', { episodeId: seeded, status: 'completed' });
}, 60_000);

afterAll(async () => {
  await mcp?.client.close();
  await proxy?.close();
  await server?.close();
});

type Cancellable = (client: Client, signal: AbortSignal) => Promise<unknown>;

const tool =
  (name: string, input: Record<string, unknown>): Cancellable =>
  (client, signal) =>
    client.callTool({ name, arguments: input }, undefined, { signal });

/** Starts an episode (not held), then completes it waiting for learning. */
const completeWaitingForLearning: Cancellable = async (client, signal) => {
  const started = await call(client, 'memory_start_episode', {
    task: 'Rotate the logs',
    taskType: 'debugging',
    domain: 'shop',
  });
  const input = { episodeId: episodeIdIn(started), status: 'completed', waitForLearning: true };
  return client.callTool({ name: 'memory_complete_episode', arguments: input }, undefined, { signal });
};

/** What is cancelled, the procedure the proxy holds, and the call. */
const cases: [what: string, held: string, run: Cancellable][] = [
  [
    'memory_recall at its look-up',
    'search.retrieve',
    tool('memory_recall', { task: 'checkout total undefined' }),
  ],
  [
    "memory_recall at a past episode's steps",
    'episodes.get',
    tool('memory_recall', { task: 'checkout total undefined' }),
  ],
  ['memory_seen_error at its searches', 'search.text', tool('memory_seen_error', { error: failure })],
  [
    "memory_seen_error at a past episode's steps",
    'episodes.get',
    tool('memory_seen_error', { error: failure }),
  ],
  [
    'memory_start_episode',
    'episodes.start',
    tool('memory_start_episode', { task: 'Cart is empty', taskType: 'debugging', domain: 'shop' }),
  ],
  [
    'memory_log_steps',
    'episodes.logSteps',
    tool('memory_log_steps', { episodeId: randomUUID(), steps: [{ action: 'npm test' }] }),
  ],
  [
    'memory_complete_episode',
    'episodes.complete',
    tool('memory_complete_episode', { episodeId: randomUUID(), status: 'failed' }),
  ],
  ['memory_complete_episode waiting for learning', 'learning.flush', completeWaitingForLearning],
  [
    'memory_pattern_feedback',
    'patterns.recordUsage',
    tool('memory_pattern_feedback', { patternId: 'p1', episodeId: randomUUID(), helped: true }),
  ],
  [
    'reading episode://',
    'episodes.get',
    (client, signal) => client.readResource({ uri: `episode://${seeded}` }, { signal }),
  ],
  [
    'reading a page of steps',
    'episodes.steps',
    (client, signal) => client.readResource({ uri: `episode://${seeded}/steps/2` }, { signal }),
  ],
  [
    'reading pattern://',
    'patterns.get',
    (client, signal) => client.readResource({ uri: 'pattern://p1' }, { signal }),
  ],
  ['listing resources', 'episodes.list', (client, signal) => client.listResources(undefined, { signal })],
];

it.for(cases)('%s: a cancelled call lets go of its request to the server', async ([, fragment, run]) => {
  const before = proxy.held.length;
  const held = () => proxy.held.slice(before);
  proxy.hold(fragment);
  try {
    const controller = new AbortController();
    const outcome = run(mcp.client, controller.signal).then(
      () => 'answered',
      (error: unknown) => error,
    );
    await vi.waitFor(() => expect(held()).not.toEqual([]), { timeout: 30_000 });
    controller.abort('the user pressed stop');
    // The client stops waiting at once whatever the server does (the MCP SDK's own doing)…
    expect(await outcome).toBeInstanceOf(McpError);
    // …and the MCP server stops waiting on the store: before, it held the request until --timeout-ms.
    await vi.waitFor(() => expect(held().filter((request) => !request.closed)).toEqual([]), {
      timeout: patienceMs,
    });
  } finally {
    proxy.hold(null);
  }
  // A cancelled call is no failure: nothing said on stderr but the start-up line.
  expect(mcp.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^episodic-mcp: serving remote /)]);
});

it('ends a session whose client leaves with a cancelled call unanswered, archiving the episode it left open', async () => {
  const session = await connect();
  const left = episodeIdIn(
    await call(session.client, 'memory_start_episode', {
      task: 'Flaky deploy',
      taskType: 'debugging',
      domain: 'ops',
    }),
  );
  const before = proxy.held.length;
  proxy.hold('search.retrieve');
  try {
    const controller = new AbortController();
    const recalling = session.client
      .callTool({ name: 'memory_recall', arguments: { task: 'flaky deploy' } }, undefined, {
        signal: controller.signal,
      })
      .catch((error: unknown) => error);
    await vi.waitFor(() => expect(proxy.held.length).toBeGreaterThan(before), { timeout: 30_000 });
    controller.abort();
    await recalling;
  } finally {
    proxy.hold(null);
  }
  // The server used to wait for its answer to the cancelled call before ending the session, an
  // answer the MCP SDK never sends: with nothing else left to run, the process ended there, before
  // archiving the episode.
  await session.client.close();
  await session.exited;
  const direct = createRemoteMemory({ url: server.url, token: server.adminToken });
  expect((await direct.episodes.get(left))?.status).toBe('archived');
  expect(session.stderr()).toContain(`archived 1 episode the session started and did not complete: ${left}`);
});
