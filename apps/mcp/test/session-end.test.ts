import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { createRemoteMemory } from '@episodic/sdk';
import { startTestServer } from '@episodic/server/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, expect, it } from 'vitest';
import { call, episodeIdIn } from './__fixtures__/debugging-scenario.js';
import { spawnHttpMcp } from './__fixtures__/spawn-mcp.js';
import { connectStdio } from './__fixtures__/stdio-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'episodic-mcp-session-end-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const error = "Error: EACCES: permission denied, open '/var/run/app.sock'";

const start = async (client: Client, task: string, domain: string) =>
  episodeIdIn(await call(client, 'memory_start_episode', { task, taskType: 'debugging', domain }));

it('archives, when its client goes away, the episodes a stdio session started and did not complete', async () => {
  const first = await connectStdio(['--data-dir', dataDir]);
  const left = await start(first.client, 'Deploy fails with EACCES', 'ops');
  await call(first.client, 'memory_log_steps', {
    episodeId: left,
    steps: [{ action: 'systemctl restart app', result: error, success: false }],
  });
  const done = await start(first.client, 'Rotate the logs', 'ops');
  await call(first.client, 'memory_complete_episode', { episodeId: done, status: 'completed' });
  // The client closes stdin, as an editor does when the agent's session ends or is interrupted.
  await first.client.close();
  await first.exited;
  const memory = await openMemory({ url: `file:${join(dataDir, 'memory.db')}` });
  try {
    expect((await memory.episodes.get(left))?.status).toBe('archived');
    expect((await memory.episodes.get(done))?.status).toBe('completed');
  } finally {
    await memory.close();
  }
  expect(first.stderr()).toContain(`archived 1 episode the session started and did not complete: ${left}`);
  // The next session is shown the abandoned attempt as ended, not as one still in progress.
  const next = await connectStdio(['--data-dir', dataDir]);
  try {
    const seen = await call(next.client, 'memory_seen_error', { error, domain: 'ops' });
    expect(seen).toContain(`[episode ${left}] debugging · ops · archived ·`);
    expect(seen).toContain('then: nothing (the episode ended there)');
  } finally {
    await next.client.close();
  }
}, 120_000);

it('archives the open episodes of a Streamable HTTP session when its client ends it', async () => {
  const server = await startTestServer();
  const mcp = await spawnHttpMcp(['--url', server.url], { EPISODIC_TOKEN: server.adminToken });
  try {
    const transport = new StreamableHTTPClientTransport(new URL(mcp.url));
    const client = new Client({ name: 'leaving', version: '0.0.0' });
    await client.connect(transport);
    const left = await start(client, 'Flaky deploy', 'ops');
    await transport.terminateSession();
    await client.close();
    const direct = createRemoteMemory({ url: server.url, token: server.adminToken });
    // The session's end archives in the background of the DELETE's answer, and says so once the
    // store has answered: the line may come a moment after the episode reads as archived.
    const said = `archived 1 episode the session started and did not complete: ${left}`;
    let status: string | undefined;
    for (let waited = 0; waited < 30_000; waited += 250) {
      status = (await direct.episodes.get(left))?.status;
      if (status === 'archived' && mcp.stderr().includes(said)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe('archived');
    expect(mcp.stderr()).toContain(said);
  } finally {
    expect(await mcp.stop()).toBe(0);
    await server.close();
  }
}, 120_000);
