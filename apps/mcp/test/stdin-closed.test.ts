import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { afterAll, expect, it } from 'vitest';
import { episodicMcp } from './__fixtures__/bin.js';

const dataDir = mkdtempSync(join(tmpdir(), 'episodic-mcp-eof-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const message = (body: object) => `${JSON.stringify({ jsonrpc: '2.0', ...body })}\n`;

it('answers the calls a client sent before closing stdin, then exits', async () => {
  // A one-shot client (`printf … | episodic-mcp`): its last call is still running when stdin ends.
  const memory = await openMemory({ url: `file:${join(dataDir, 'memory.db')}` });
  const { id } = await memory.episodes.start({ taskType: 'debugging', domain: 'ci', context: 'Red build' });
  await memory.episodes.logSteps(id, [
    { action: 'npm test', result: 'Error: cannot find module ./config', success: false },
    { action: 'git checkout config.js', success: true },
  ]);
  await memory.close();

  const child = spawn(process.execPath, [episodicMcp, '--data-dir', dataDir], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.stdin.end(
    message({
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '0' } },
    }) +
      message({ method: 'notifications/initialized' }) +
      message({
        id: 2,
        method: 'tools/call',
        params: {
          name: 'memory_complete_episode',
          arguments: { episodeId: id, status: 'completed', waitForLearning: true },
        },
      }),
  );
  expect(await exited).toBe(0);
  const answers = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id?: number; result?: { isError?: boolean } });
  const completion = answers.find((answer) => answer.id === 2);
  expect(completion?.result).toBeDefined();
  expect(completion?.result?.isError).toBeFalsy();
}, 60_000);
