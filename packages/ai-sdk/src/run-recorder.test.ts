import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Memory, openMemory } from '@episodic/core';
import { describe, expect, it } from 'vitest';
import { tempMemoryPerFile } from './__fixtures__/temp-memory.js';
import { RunRecorder } from './run-recorder.js';

let memory: Memory;
let dir: string;
tempMemoryPerFile('episodic-ai-sdk-recorder-', (opened, folder) => {
  memory = opened;
  dir = folder;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startedRun() {
  const run = new RunRecorder(
    memory,
    (error) => {
      throw error;
    },
    10_000,
  );
  await run.start({ taskType: 'debugging', domain: 'recorder', context: 'a run' });
  return { run, status: async () => (await memory.episodes.get(run.episodeId ?? ''))?.status };
}

describe('RunRecorder, a model call awaiting the AI SDK’s retry', () => {
  it('fails the run when no retry starts in time', async () => {
    const { run, status } = await startedRun();
    run.failUnlessRetried(50);
    expect(await status()).toBe('active');
    await sleep(300);
    expect(await status()).toBe('failed');
  });

  it('takes the failure back when the retry starts, and the run can complete', async () => {
    const { run, status } = await startedRun();
    run.failUnlessRetried(50);
    run.retrying();
    await sleep(300);
    expect(await status()).toBe('active');
    await run.finish('completed');
    expect(await status()).toBe('completed');
  });

  it('fails the run when the process ends before a retry, without being asked for the episode', async () => {
    const file = join(dir, 'exit.db');
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('./__fixtures__/exit-awaiting-retry.mjs', import.meta.url)), file],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect([code, output.trim()]).toEqual([0, 'run failed: overloaded']);
    const reopened = await openMemory({ url: `file:${file}`, cache: false });
    try {
      const { items } = await reopened.episodes.list({ domain: 'exit' });
      expect(items.map((episode) => [episode.context, episode.status])).toEqual([
        ['A run that fails', 'failed'],
      ]);
    } finally {
      await reopened.close();
    }
  });
});
