import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { episodicMcp } from './__fixtures__/bin.js';
import { call, callFailing, episodeIdIn } from './__fixtures__/debugging-scenario.js';
import { connectStdio, type StdioSession } from './__fixtures__/stdio-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'episodic-mcp-limits-'));
let mcp: StdioSession;

beforeAll(async () => {
  mcp = await connectStdio(['--data-dir', dataDir]);
}, 60_000);

afterAll(async () => {
  await mcp?.client.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A new episode of the `bin` domain, started through the tool. */
const startEpisode = async (task: string) =>
  episodeIdIn(await call(mcp.client, 'memory_start_episode', { task, taskType: 'debugging', domain: 'bin' }));

it('refuses, with its reason, a memory_log_steps call its fields allow but too large in all, and serves on', async () => {
  const episodeId = await startEpisode('Dump a binary');
  // The most each field takes: 100 results of 20,000 control characters (a binary file printed by
  // a shell), 6 bytes each once JSON-escaped: a 12 MB line, past the SDK's 10 MiB default.
  const binary = Array.from({ length: 20_000 }, (_, index) => String.fromCharCode(1 + (index % 31))).join('');
  const steps = Array.from({ length: 100 }, (_, index) => ({
    action: `cat shard${index}.bin`,
    result: binary,
  }));
  const refused = await callFailing(mcp.client, 'memory_log_steps', { episodeId, steps });
  expect(refused).toMatch(/steps/);
  expect(refused).toContain(
    'more than 1,000,000 characters of action and result in one call: send the steps over several calls',
  );
  // The same steps over several calls are taken.
  for (let from = 0; from < 100; from += 40)
    await call(mcp.client, 'memory_log_steps', { episodeId, steps: steps.slice(from, from + 40) });
  const resource = await mcp.client.readResource({ uri: `episode://${episodeId}` });
  expect(JSON.parse((resource.contents[0] as { text: string }).text)).toMatchObject({ stepCount: 100 });
}, 120_000);

it('exits, saying why, when a message is too large for the stdio transport to read', async () => {
  const child = spawn(process.execPath, [episodicMcp, '--data-dir', dataDir], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // The process stops reading: the rest of the line cannot be written.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const message = (body: object) => `${JSON.stringify({ jsonrpc: '2.0', ...body })}\n`;
  child.stdin.write(
    message({
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '0' } },
    }) + message({ method: 'notifications/initialized' }),
  );
  // Larger than any call the tools' schemas allow, escaped at worst (about 13 MB).
  child.stdin.write(
    message({
      id: 2,
      method: 'tools/call',
      params: { name: 'memory_recall', arguments: { task: 'x'.repeat(16 * 1024 * 1024) } },
    }),
  );
  const late = new Promise<'still running'>((resolve) =>
    setTimeout(() => resolve('still running'), 30_000).unref(),
  );
  const outcome = await Promise.race([exited, late]);
  if (outcome === 'still running') child.kill('SIGKILL');
  expect(outcome).toBe(1);
  expect(stderr).toMatch(/episodic-mcp: stdio: ReadBuffer exceeded maximum size of \d+ bytes/);
  expect(stderr).toMatch(/episodic-mcp: stopped serving: the stdio transport closed/);
}, 90_000);

it("names the tool's own field when the store refuses what the tool sent under another name", async () => {
  // A store configured with a shorter context than the tool's 8,000-character `task`.
  const folder = mkdtempSync(join(tmpdir(), 'episodic-mcp-short-'));
  const config = join(folder, 'episodic.config.mjs');
  writeFileSync(config, 'export default { limits: { maxContextChars: 100 } };\n');
  const short = await connectStdio(['--data-dir', join(folder, 'data')], { EPISODIC_CONFIG: config });
  try {
    const refused = await callFailing(short.client, 'memory_start_episode', {
      task: 'x'.repeat(101),
      taskType: 'debugging',
      domain: 'bin',
    });
    // The agent never saw `context`: the refusal named it, and the agent could not tell what to shorten.
    expect(refused).toMatch(/^VALIDATION: task: /);
    expect(refused).not.toContain('context');
  } finally {
    await short.client.close();
    rmSync(folder, { recursive: true, force: true });
  }
}, 120_000);

it('stores a NUL character or a lone surrogate of a step as U+FFFD, keeping the batch, and says so', async () => {
  const episodeId = await startEpisode('Print a core file');
  const answer = await call(mcp.client, 'memory_log_steps', {
    episodeId,
    steps: [
      { action: 'cat core', result: 'ELF\u0000\u0000header', success: true },
      { action: 'head -c 3 name\ud83d', result: 'ok', success: true },
      { action: 'echo done', result: 'done', success: true },
    ],
  });
  expect(answer).toBe(
    `Logged 3 steps (#1–#3) to episode ${episodeId}. 2 of them held NUL characters or lone surrogates, stored as U+FFFD.`,
  );
  const resource = await mcp.client.readResource({ uri: `episode://${episodeId}` });
  const episode = JSON.parse((resource.contents[0] as { text: string }).text) as {
    steps: { action: string; result: string }[];
  };
  expect(episode.steps.map(({ action, result }) => [action, result])).toEqual([
    ['cat core', 'ELF\ufffd\ufffdheader'],
    ['head -c 3 name\ufffd', 'ok'],
    ['echo done', 'done'],
  ]);
}, 120_000);
