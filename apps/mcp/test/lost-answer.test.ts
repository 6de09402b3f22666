import { createRemoteMemory } from '@episodic/sdk';
import {
  type DroppingProxy,
  startDroppingProxy,
  startTestServer,
  type TestServer,
} from '@episodic/server/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEpisodicMcpServer } from '../src/create-mcp-server.js';
import { call, episodeIdIn } from './__fixtures__/debugging-scenario.js';

let server: TestServer;
let proxy: DroppingProxy;
const client = new Client({ name: 'lost-answer-test', version: '0.0.0' });

beforeAll(async () => {
  // Remote mode with the network between the MCP server and `episodic serve` losing one answer.
  server = await startTestServer();
  proxy = await startDroppingProxy(server.url);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createEpisodicMcpServer(createRemoteMemory({ url: proxy.url, token: server.adminToken })).connect(
    serverSide,
  );
  await client.connect(clientSide);
});

afterAll(async () => {
  await client.close();
  await proxy.close();
  await server.close();
});

it('logs steps once when the answer to their write is lost on the way back', async () => {
  const episodeId = episodeIdIn(
    await call(client, 'memory_start_episode', {
      task: 'Flaky deploy',
      taskType: 'debugging',
      domain: 'ops',
    }),
  );
  proxy.dropNext('episodes.logSteps');
  const logged = await call(client, 'memory_log_steps', {
    episodeId,
    steps: [
      { action: 'kubectl rollout status', result: 'timed out', success: false },
      { action: 'kubectl describe pod', result: 'ImagePullBackOff', success: true },
    ],
  });
  expect(proxy.dropped).toHaveLength(1);
  expect(logged).toBe(`Logged 2 steps (#1–#2) to episode ${episodeId}.`);
  const stored = await createRemoteMemory({ url: server.url, token: server.adminToken }).episodes.get(
    episodeId,
  );
  expect(stored?.steps.map((step) => [step.stepNumber, step.action])).toEqual([
    [1, 'kubectl rollout status'],
    [2, 'kubectl describe pod'],
  ]);
});

it('says an episode is completed when the answer to its completion is lost on the way back', async () => {
  const episodeId = episodeIdIn(
    await call(client, 'memory_start_episode', { task: 'Rotate keys', taskType: 'debugging', domain: 'ops' }),
  );
  proxy.dropNext('episodes.complete');
  const answer = await call(client, 'memory_complete_episode', { episodeId, status: 'completed' });
  expect(proxy.dropped.at(-1)).toContain('episodes.complete');
  expect(answer).toMatch(new RegExp(`^Episode ${episodeId} completed, success 100%\\.`));
});

it('starts one episode when the answer to its start is lost on the way back', async () => {
  proxy.dropNext('episodes.start');
  const episodeId = episodeIdIn(
    await call(client, 'memory_start_episode', {
      task: 'Renew the certificate',
      taskType: 'debugging',
      domain: 'certs',
    }),
  );
  expect(proxy.dropped.at(-1)).toContain('episodes.start');
  const direct = createRemoteMemory({ url: server.url, token: server.adminToken });
  expect((await direct.episodes.list({ domain: 'certs' })).items.map((episode) => episode.id)).toEqual([
    episodeId,
  ]);
});
