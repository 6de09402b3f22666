import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call } from './__fixtures__/debugging-scenario.js';
import { connectStdio, type StdioSession } from './__fixtures__/stdio-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'episodic-mcp-resource-'));
let mcp: StdioSession;
let episodeId: string;

/** Test output in Chinese: three bytes a character in UTF-8, 16,000 characters a step. */
const output = '测试失败：预期值与实际值不符。'.repeat(1100).slice(0, 16_000);
const stepCount = 250;

beforeAll(async () => {
  // 4 M characters of steps, 12 MB as UTF-8: within one page of the store's (4 Mi characters),
  // past the MCP SDK's 10 MiB stdio line.
  const memory = await openMemory({ url: `file:${join(dataDir, 'memory.db')}` });
  ({ id: episodeId } = await memory.episodes.start({
    taskType: 'testing',
    domain: 'i18n',
    context: 'Localised test suite fails',
  }));
  for (let from = 1; from <= stepCount; from += 50)
    await memory.episodes.logSteps(
      episodeId,
      Array.from({ length: 50 }, (_, index) => ({
        action: `npm test -- shard ${from + index}`,
        result: output,
        success: false,
      })),
    );
  await memory.close();
  mcp = await connectStdio(['--data-dir', dataDir]);
}, 180_000);

afterAll(async () => {
  await mcp?.client.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function read(uri: string): Promise<{ text: string; value: Record<string, unknown> }> {
  const text = (await mcp.client.readResource({ uri })).contents[0] as { text: string };
  return { text: text.text, value: JSON.parse(text.text) };
}

it('answers episode://{id} within 100,000 characters, results cut with a mark, and pages on to every step', async () => {
  const first = await read(`episode://${episodeId}`);
  expect(first.text.length).toBeLessThanOrEqual(100_000);
  expect(first.value).toMatchObject({ id: episodeId, stepCount, context: 'Localised test suite fails' });
  const steps = first.value.steps as { stepNumber: number; result: string }[];
  expect(steps.length).toBeGreaterThan(0);
  for (const step of steps) {
    expect(step.result.length).toBeLessThanOrEqual(2000);
    expect(step.result).toMatch(/^测试失败：.*… \[\d+ more characters\]$/);
    // What is kept and what the mark counts make the whole result.
    expect(step.result.indexOf('… [') + Number(/\[(\d+) more/.exec(step.result)?.[1])).toBe(output.length);
  }
  const seen = steps.map((step) => step.stepNumber);
  let cursor = first.value.nextStepsCursor as string | null;
  expect(cursor).toBe(String(seen.length + 1));
  while (cursor !== null) {
    const page = await read(`episode://${episodeId}/steps/${cursor}`);
    expect(page.text.length).toBeLessThanOrEqual(100_000);
    seen.push(...(page.value.items as { stepNumber: number }[]).map((step) => step.stepNumber));
    cursor = page.value.nextCursor as string | null;
  }
  expect(seen).toEqual(Array.from({ length: stepCount }, (_, index) => index + 1));
  // The session is still there: nothing it was sent broke the connection.
  expect(
    await call(mcp.client, 'memory_recall', { task: 'Localised test suite fails', domain: 'i18n' }),
  ).toMatch(/^1 past episode, /);
}, 180_000);

it('refuses a resource URI with a malformed % escape as invalid params, not an internal error', async () => {
  // `decodeURIComponent` threw a URIError, answered as the server's own failure (-32603).
  for (const uri of ['episode://%E0%A4%A', `episode://${episodeId}/steps/%E0%A4%A`])
    await expect(mcp.client.readResource({ uri })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('malformed % escape'),
    });
});
