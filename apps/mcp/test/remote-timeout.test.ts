import { createRemoteMemory } from '@episodic/sdk';
import {
  type DroppingProxy,
  startDroppingProxy,
  startTestServer,
  type TestServer,
} from '@episodic/server/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, callFailing, episodeIdIn } from './__fixtures__/debugging-scenario.js';
import { connectStdio, type StdioSession } from './__fixtures__/stdio-client.js';

let server: TestServer;
let proxy: DroppingProxy;
let mcp: StdioSession;

/**
 * Shorter than the default (30 s, checked with the command line's), so that the three calls held
 * back do not take long; long enough that the calls answered (a start, two reads, all through the
 * proxy) are not cut off on a loaded machine (at 2 s this test failed once in a full run beside
 * other suites, load 5–6 on 2 cores).
 */
const timeoutMs = 8000;

beforeAll(async () => {
  // A real server behind a proxy that can stop passing its answers on: a server that took the
  // request and then hung (stopped, wedged, or behind a connection that silently died).
  server = await startTestServer();
  proxy = await startDroppingProxy(server.url);
  mcp = await connectStdio(['--url', proxy.url, '--timeout-ms', String(timeoutMs)], {
    EPISODIC_TOKEN: server.adminToken,
  });
}, 60_000);

afterAll(async () => {
  await mcp?.client.close();
  await proxy?.close();
  await server?.close();
});

it('says the server did not answer in time, as a tool error, and that a write may be stored', async () => {
  expect(mcp.stderr()).toContain(`serving remote ${proxy.url} (requests time out after 8 s) over stdio`);
  const episodeId = episodeIdIn(
    await call(mcp.client, 'memory_start_episode', {
      task: 'Deploy hangs',
      taskType: 'debugging',
      domain: 'ops',
    }),
  );
  proxy.withhold(true);
  const started = performance.now();
  const logged = await callFailing(mcp.client, 'memory_log_steps', {
    episodeId,
    steps: [{ action: 'npm test', result: 'Error: EACCES', success: false }],
  });
  // Well before the 60 s a client gives a call: the agent reads a tool error, not a protocol timeout.
  expect(performance.now() - started).toBeLessThan(30_000);
  expect(logged).toMatch(/^TIMEOUT: \S+\/trpc\/episodes\.logSteps gave no answer within 8000 ms/);
  expect(logged).toContain(
    `The steps may have been stored all the same: read episode://${episodeId} and check its stepCount before sending them again`,
  );
  const recalled = await callFailing(mcp.client, 'memory_recall', { task: 'deploy hangs' });
  expect(recalled).toMatch(/^TIMEOUT: /);
  expect(recalled).not.toMatch(/may have been/);
  // A start names the id it was sent under, so the agent can look for it rather than start another.
  const start = await callFailing(mcp.client, 'memory_start_episode', {
    task: 'Deploy hangs again',
    taskType: 'debugging',
    domain: 'ops',
  });
  const startedAs = /may have been started all the same, as ([0-9a-f-]{36}): read episode:\/\/\1,/.exec(
    start,
  )?.[1];
  expect(start).toMatch(/^TIMEOUT: /);
  expect(startedAs).toBeDefined();
  proxy.withhold(false);

  // What the answer warned of: the server did store the write it never answered.
  const stored = await createRemoteMemory({ url: server.url, token: server.adminToken }).episodes.get(
    episodeId,
  );
  expect(stored?.stepCount).toBe(1);
  const resource = await mcp.client.readResource({ uri: `episode://${episodeId}` });
  expect(JSON.parse((resource.contents[0] as { text: string }).text)).toMatchObject({ stepCount: 1 });
  const late = await mcp.client.readResource({ uri: `episode://${startedAs}` });
  expect(JSON.parse((late.contents[0] as { text: string }).text)).toMatchObject({
    context: 'Deploy hangs again',
  });
}, 120_000);
