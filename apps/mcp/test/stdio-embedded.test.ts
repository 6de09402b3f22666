import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { episodicMcp } from './__fixtures__/bin.js';
import {
  call,
  callFailing,
  episodeIdIn,
  newOccurrence,
  recordDebuggingEpisodes,
  stackFrame,
} from './__fixtures__/debugging-scenario.js';

const dataDir = mkdtempSync(join(tmpdir(), 'episodic-mcp-'));
const client = new Client({ name: 'stdio-test', version: '0.0.0' });
let stderr = '';
let recorded: string[];

beforeAll(async () => {
  // The built bin, as an MCP client launches it: a child process speaking on stdio.
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [episodicMcp, '--data-dir', dataDir],
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await client.connect(transport);
  recorded = await recordDebuggingEpisodes(client, 'webapp');
  // A child process's start-up and learning on a loaded 2-core machine: room before calling it hung.
}, 180_000);

afterAll(async () => {
  await client.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('episodic-mcp over stdio, embedded', () => {
  it('lists its six tools, each saying when to call it, and its resources and prompt', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'memory_complete_episode',
      'memory_log_steps',
      'memory_pattern_feedback',
      'memory_recall',
      'memory_seen_error',
      'memory_start_episode',
    ]);
    for (const tool of tools) expect(tool.description).toMatch(/Call this/);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate).sort()).toEqual([
      'episode://{id}',
      'episode://{id}/steps/{cursor}',
      'pattern://{id}',
    ]);
    const prompt = await client.getPrompt({
      name: 'episodic_memory',
      arguments: { task: 'Fix the flaky login test' },
    });
    const content = prompt.messages.map((message) => message.content);
    expect(content.map((part) => part.type)).toEqual(['text']);
    const text = (content[0] as { text: string }).text;
    expect(text).toMatch(/memory_recall/);
    expect(text).toMatch(/The task: Fix the flaky login test/);
    expect(stderr).toContain(`serving embedded ${dataDir} (from --data-dir) over stdio`);
  });

  it('after three debugging episodes, memory_seen_error finds what fixed the same error', async () => {
    const answer = await call(client, 'memory_seen_error', { error: newOccurrence, domain: 'webapp' });
    expect(answer).toMatch(/^Seen before in webapp: 1 error-resolution pattern\(s\), 3 past occurrence\(s\)/);
    // The mined pattern: the failing action, its signature, what resolved it, on all three episodes.
    expect(answer).toMatch(/\[pattern [0-9a-f]+\] error_resolution · webapp/);
    expect(answer).toContain('TypeError: Cannot read properties of undefined (reading <str>)');
    expect(answer).toMatch(/seen in 3 episodes, 3 succeeded/);
    // And the steps that fixed it, with the episodes to read.
    expect(answer).toMatch(/same error at:\n {2}1\. ✗ npm test/);
    expect(answer).toMatch(/3\. ✓ edit_file src\/forms\/\w+\.ts → guarded it: form\.user\?\.\w+/);
    for (const id of recorded) expect(answer).toContain(id);
  });

  it('says plainly when an error was never seen, and keeps to maxChars', async () => {
    const none = await call(client, 'memory_seen_error', {
      error: 'Error: connect ECONNREFUSED 127.0.0.1:5432',
      domain: 'webapp',
    });
    expect(none).toMatch(/^Not seen before in webapp/);
    // Sharing a word with past errors ("TypeError") does not make an error seen.
    const unrelated = await call(client, 'memory_seen_error', {
      error: 'TypeError: fetch failed',
      domain: 'webapp',
    });
    expect(unrelated).toMatch(/^Not seen before in webapp/);
    const similar = await call(client, 'memory_seen_error', {
      error: "TypeError: Cannot read properties of null (reading 'phone')",
      domain: 'webapp',
    });
    expect(similar).toMatch(/similar error at:\n {2}1\. ✗ npm test/);
    const short = await call(client, 'memory_seen_error', { error: newOccurrence, maxChars: 600 });
    const [kept, note] = short.split('\n… ');
    expect(kept?.length).toBeLessThanOrEqual(600);
    expect(note).toMatch(/more left out to stay within maxChars/);
  });

  it('recalls the episodes and patterns for a task, with the reason for each', async () => {
    const answer = await call(client, 'memory_recall', {
      task: 'The phone form crashes on submit with a TypeError',
      domain: 'webapp',
    });
    expect(answer).toMatch(/^3 past episodes, \d+ patterns? \(best first\)\./);
    expect(answer).toMatch(/why \(score [\d.]+\): words match (the task|step \d+) \(text #1/);
    expect(answer).toMatch(/meaning close to/);
    expect(answer.match(/\[episode /g)).toHaveLength(3);
  });

  it('names the best matches in one line when maxChars has no room for a whole block', async () => {
    const task = 'The phone form crashes on submit with a TypeError';
    const least = await call(client, 'memory_recall', { task, domain: 'webapp', maxChars: 200 });
    expect(least.length).toBeLessThanOrEqual(200);
    // Before, the header and "3 more left out": not one id to read.
    expect(least).toMatch(
      /^3 past episodes, \d+ patterns? \(best first\)\.\n\[(episode|pattern) [0-9a-f-]{36}\]/,
    );
    expect(least).toMatch(
      /\n… 1 shown in one line, \d+ more left out to stay within maxChars; raise maxChars/,
    );
    const small = await call(client, 'memory_recall', { task, domain: 'webapp', maxChars: 600 });
    expect(small.length).toBeLessThanOrEqual(600);
    expect(small.match(/\[(episode|pattern) /g)?.length ?? 0).toBeGreaterThan(1);
  });

  it('recalls twenty episodes with their steps and prints no listener-leak warning', async () => {
    for (let i = 0; i < 20; i += 1) {
      const id = episodeIdIn(
        await call(client, 'memory_start_episode', {
          task: `Flaky cache eviction test number ${i}`,
          taskType: 'debugging',
          domain: 'fanout',
        }),
      );
      await call(client, 'memory_log_steps', {
        episodeId: id,
        steps: [{ action: 'npm test cache', result: `eviction ${i} failed`, success: false }],
      });
    }
    const answer = await call(client, 'memory_recall', {
      task: 'flaky cache eviction test',
      domain: 'fanout',
      limit: 20,
      maxChars: 50_000,
    });
    expect(answer).toMatch(/^20 past episodes/u);
    // Each of the episodes' step reads listened on the call's one signal: past 10, Node warned,
    // on stderr, which may arrive after the answer on stdout.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(stderr).not.toContain('MaxListenersExceededWarning');
  }, 120_000);

  it("leaves the agent's own episode out of what it recalls", async () => {
    const task = 'The phone form crashes on submit with a TypeError in the webapp';
    const own = episodeIdIn(
      await call(client, 'memory_start_episode', { task, taskType: 'debugging', domain: 'webapp' }),
    );
    // Its task is the best match for itself: without the id it takes a place.
    expect(await call(client, 'memory_recall', { task, domain: 'webapp' })).toContain(own);
    const recalled = await call(client, 'memory_recall', { task, domain: 'webapp', episodeId: own });
    expect(recalled).not.toContain(own);
    for (const id of recorded) expect(recalled).toContain(id);
  });

  it("does not give back the agent's own failed step as an error seen before", async () => {
    const error =
      'Error: listen EADDRINUSE: address already in use :::8081\n    at Server.setupListenHandle (node:net:1817:16)';
    const own = episodeIdIn(
      await call(client, 'memory_start_episode', {
        task: 'Start the kiosk dev server',
        taskType: 'debugging',
        domain: 'kiosk',
      }),
    );
    // What the working agreement says: log the failure, then ask whether it was seen before.
    await call(client, 'memory_log_steps', {
      episodeId: own,
      steps: [{ action: 'npm run dev', result: error, success: false }],
    });
    // Without its id, the agent's own episode is the one match, and it is not said to have ended.
    const unnamed = await call(client, 'memory_seen_error', { error, domain: 'kiosk' });
    expect(unnamed).toContain(`[episode ${own}]`);
    expect(unnamed).toContain('then: nothing yet (the episode is still in progress)');
    const answer = await call(client, 'memory_seen_error', { error, domain: 'kiosk', episodeId: own });
    expect(answer).toMatch(/^Not seen before in kiosk/);
    expect(answer).not.toContain(own);
  });

  it('records pattern feedback and serves episodes and patterns as resources', async () => {
    const seen = await call(client, 'memory_seen_error', { error: newOccurrence, domain: 'webapp' });
    const patternId = /\[pattern ([0-9a-f]+)\]/.exec(seen)?.[1] as string;
    const episodeId = episodeIdIn(
      await call(client, 'memory_start_episode', {
        task: 'phone form crash',
        taskType: 'debugging',
        domain: 'webapp',
      }),
    );
    const feedback = await call(client, 'memory_pattern_feedback', { patternId, episodeId, helped: true });
    expect(feedback).toMatch(/used 1×, helped 1/);

    const episode = await client.readResource({ uri: `episode://${recorded[0]}` });
    const stored = JSON.parse((episode.contents[0] as { text: string }).text);
    expect(stored).toMatchObject({ id: recorded[0], domain: 'webapp', status: 'completed' });
    expect(stored.steps.map((step: { action: string }) => step.action)).toEqual([
      'npm test',
      'read_file src/forms/email.ts',
      'edit_file src/forms/email.ts',
      'npm test',
    ]);
    const pattern = await client.readResource({ uri: `pattern://${patternId}` });
    expect(JSON.parse((pattern.contents[0] as { text: string }).text)).toMatchObject({
      id: patternId,
      patternType: 'error_resolution',
      usageCount: 1,
    });
    await expect(
      client.readResource({ uri: 'episode://01936f3e-0000-7000-8000-000000000000' }),
    ).rejects.toThrow(/not found/);
  });

  it('keeps the first line of a short answer, counts only what it left out, and says 1 episode', async () => {
    // A long domain and a long error: the answer's first line alone is near maxChars.
    const domain = `billing-${'x'.repeat(92)}`;
    const error = `Error: connect ETIMEDOUT 10.0.0.7:5432 while ${'opening the ledger connection pool '.repeat(8)}`;
    const id = episodeIdIn(
      await call(client, 'memory_start_episode', {
        task: 'Ledger sync times out',
        taskType: 'debugging',
        domain,
      }),
    );
    await call(client, 'memory_log_steps', {
      episodeId: id,
      steps: [{ action: 'npm run sync', result: error, success: false }],
    });
    const short = await call(client, 'memory_seen_error', { error, domain, maxChars: 200 });
    const [first, ...rest] = short.split('\n');
    expect(first).toBe(`Seen before in ${domain}: 0 error-resolution pattern(s), 1 past occurrence(s).`);
    expect(rest).toEqual([
      '… 1 more left out to stay within maxChars; raise maxChars or read episode://<id>.',
    ]);
    const seen = await call(client, 'memory_seen_error', { error, domain, maxChars: 320 });
    expect(seen.split('\n')[0]).toMatch(
      new RegExp(
        `^Seen before in ${domain}: 0 error-resolution pattern\\(s\\), 1 past occurrence\\(s\\)\\. Signature: "Error: connect ETIMEDOUT .*"$`,
      ),
    );
    expect(seen.split('\n')[0]?.length).toBeLessThanOrEqual(320);
    const recalled = await call(client, 'memory_recall', { task: 'Ledger sync times out', domain });
    expect(recalled).toMatch(/^1 past episode, 0 patterns \(best first\)\./);
  });

  it('trims the domain and task, and refuses them when only whitespace; describes every field', async () => {
    const blank = await callFailing(client, 'memory_start_episode', {
      task: 'Fix the build',
      taskType: 'debugging',
      domain: '   ',
    });
    expect(blank).toMatch(/must not be empty or only whitespace at domain/);
    expect(
      await callFailing(client, 'memory_start_episode', {
        task: ' \n ',
        taskType: 'debugging',
        domain: 'web',
      }),
    ).toMatch(/must not be empty or only whitespace at task/);
    const started = await call(client, 'memory_start_episode', {
      task: ' Fix the build ',
      taskType: 'debugging',
      domain: ' webapp ',
    });
    expect(started).toMatch(/\(debugging in webapp\)/);

    const { tools } = await client.listTools();
    const schema = (name: string) =>
      tools.find((tool) => tool.name === name)?.inputSchema as {
        properties: Record<
          string,
          { description?: string; items?: { properties: Record<string, { description?: string }> } }
        >;
      };
    expect(schema('memory_log_steps').properties.steps?.items?.properties.durationMs?.description).toMatch(
      /milliseconds/,
    );
    expect(schema('memory_seen_error').properties.limit?.description).toMatch(/patterns/);
  });

  it('refuses invalid input with the field path and no stack, at the edge and in the engine', async () => {
    const edge = await callFailing(client, 'memory_log_steps', {
      episodeId: recorded[0],
      steps: [{ action: '' }],
    });
    expect(edge).toMatch(/steps\[0\]\.action/);
    const engine = await callFailing(client, 'memory_start_episode', {
      task: 'bake bread',
      taskType: 'cooking',
      domain: 'kitchen',
    });
    expect(engine).toMatch(/^VALIDATION: .*taskType: /);
    const finished = await callFailing(client, 'memory_log_steps', {
      episodeId: recorded[0],
      steps: [{ action: 'npm test' }],
    });
    expect(finished).toMatch(/^CONFLICT: /);
    for (const text of [edge, engine, finished]) expect(text).not.toMatch(stackFrame);
  });
});
