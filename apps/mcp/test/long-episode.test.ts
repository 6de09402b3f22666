import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteMemory } from '@episodic/sdk';
import { openStore, parseServerConfig } from '@episodic/server';
import { startTestServer } from '@episodic/server/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEpisodicMcpServer } from '../src/create-mcp-server.js';
import type { AgentMemory } from '../src/memory/agent-memory.js';
import { call, episodeIdIn } from './__fixtures__/debugging-scenario.js';

/** Steps per page of an episode's steps in these stores: a 12-step episode is three pages. */
const limits = { maxPageSize: 5 };

/** An MCP client on a store whose pages hold `limits.maxPageSize` steps, and how to close both. */
interface Setup {
  client: Client;
  close(): Promise<void>;
}

async function connect(memory: AgentMemory): Promise<Client> {
  const client = new Client({ name: 'long-episode-test', version: '0.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createEpisodicMcpServer(memory).connect(serverSide);
  await client.connect(clientSide);
  return client;
}

const setups: [string, () => Promise<Setup>][] = [
  [
    'embedded',
    async () => {
      // Opened as `episodic-mcp --data-dir` opens it, with the limits in its settings.
      const dataDir = mkdtempSync(join(tmpdir(), 'episodic-mcp-long-'));
      const memory = await openStore(parseServerConfig({ dataDir, limits }));
      const client = await connect(memory);
      return {
        client,
        close: async () => {
          await client.close();
          await memory.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'remote',
    async () => {
      const server = await startTestServer({ limits });
      const client = await connect(createRemoteMemory({ url: server.url, token: server.adminToken }));
      return {
        client,
        close: async () => {
          await client.close();
          await server.close();
        },
      };
    },
  ],
];

/** The error step 9 of the long episode met, and the one an agent meets now (another line). */
const pastError = 'RangeError: Maximum call stack size exceeded\n    at walkTree (src/tree/walk.ts:31:7)';
const newError = 'RangeError: Maximum call stack size exceeded\n    at walkTree (src/tree/walk.ts:44:12)';

/** Records a completed episode of `steps`, in order, and returns its id. */
async function record(
  client: Client,
  domain: string,
  task: string,
  steps: { action: string; result: string; success: boolean }[],
): Promise<string> {
  const id = episodeIdIn(await call(client, 'memory_start_episode', { task, taskType: 'debugging', domain }));
  await call(client, 'memory_log_steps', { episodeId: id, steps });
  await call(client, 'memory_complete_episode', { episodeId: id, status: 'completed' });
  return id;
}

/** Successful steps that lead nowhere in particular: reading the files of the tree module. */
const reading = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => ({
    action: `read_file src/tree/part${from + index}.ts`,
    result: `part ${from + index} of the tree module`,
    success: true,
  }));

describe.each(setups)('an episode longer than one page of steps, %s', (_mode, open) => {
  let setup: Setup;
  let client: Client;
  /** 12 steps: reading, `npm test` failing at step 9, the fix at 10, tests passing at 11. */
  let long: string;
  /** 7 steps: the failure at step 5, the last of the first page; what fixed it on the next. */
  let edge: string;

  beforeAll(async () => {
    setup = await open();
    client = setup.client;
    long = await record(client, 'trees', 'Walking a deep tree overflows the stack', [
      ...reading(1, 8),
      { action: 'npm test', result: pastError, success: false },
      {
        action: 'edit_file src/tree/walk.ts',
        result: 'walkTree iterates with an explicit stack instead of recursing',
        success: true,
      },
      { action: 'npm test', result: 'Tests: 31 passed, 31 total', success: true },
      { action: 'git commit -am "walk trees iteratively"', result: '1 file changed', success: true },
    ]);
    edge = await record(client, 'queues', 'The queue consumer hangs on an empty batch', [
      ...reading(1, 4),
      {
        action: 'npm run consume',
        result: 'Error: Timeout of 5000ms exceeded waiting for batch acknowledgement',
        success: false,
      },
      {
        action: 'edit_file src/queue/consume.ts',
        result: 'acknowledge empty batches at once',
        success: true,
      },
      { action: 'npm run consume', result: 'consumed 0 messages, acknowledged', success: true },
    ]);
  }, 180_000);

  afterAll(async () => {
    await setup?.close();
  });

  it('memory_seen_error finds a failed step beyond the first page, with the steps that followed it', async () => {
    // The default `limit` of 3 searches up to 12 episodes, past the store's `maxPageSize` of 5
    // (which also bounds a search's rows): the tool asks for as many as the store allows.
    const answer = await call(client, 'memory_seen_error', { error: newError, domain: 'trees' });
    expect(answer).toMatch(
      /^Seen before in trees: \d+ error-resolution pattern\(s\), 1 past occurrence\(s\)/,
    );
    expect(answer).toContain(`[episode ${long}]`);
    expect(answer).toMatch(
      /same error at:\n {2}9\. ✗ npm test → RangeError: Maximum call stack size exceeded at walkTree \(src\/tree\/walk\.ts:31:7\)\n {2}then:\n {2}10\. ✓ edit_file src\/tree\/walk\.ts → walkTree iterates with an explicit stack instead of recursing\n {2}11\. ✓ npm test → Tests: 31 passed, 31 total$/m,
    );
    // The successful retry of the failed action ends what is shown, as in a short episode.
    expect(answer).not.toContain('git commit');
  });

  it('memory_seen_error reads the next page for the steps after a failure at the end of a page', async () => {
    const answer = await call(client, 'memory_seen_error', {
      error: 'Error: Timeout of 3000ms exceeded waiting for batch acknowledgement',
      domain: 'queues',
      limit: 1,
    });
    expect(answer).toContain(`[episode ${edge}]`);
    expect(answer).toMatch(
      /same error at:\n {2}5\. ✗ npm run consume → Error: Timeout of 5000ms exceeded waiting for batch acknowledgement\n {2}then:\n {2}6\. ✓ edit_file src\/queue\/consume\.ts → acknowledge empty batches at once\n {2}7\. ✓ npm run consume → consumed 0 messages, acknowledged$/m,
    );
  });

  it('memory_recall shows the step its why names past the first page, and counts every step', async () => {
    const answer = await call(client, 'memory_recall', {
      task: 'Walking a deep tree overflows the stack',
      domain: 'trees',
      stepsPerEpisode: 3,
    });
    expect(answer).toContain(`[episode ${long}]`);
    // Step 10 ("walkTree iterates with an explicit stack") is on the second page of five.
    expect(answer).toMatch(/why \(score [\d.]+\): words match step 10 /);
    expect(answer).toMatch(
      / {2}1\. ✓ read_file src\/tree\/part1\.ts.*\n {2}10\. ✓ edit_file src\/tree\/walk\.ts.*\n {2}11\. ✓ npm test → Tests: 31 passed.*\n {2}\(9 more steps\)/,
    );
  });

  it('memory_recall shows a failed step that matched the task past the first page, with the fix after it', async () => {
    const answer = await call(client, 'memory_recall', {
      task: newError,
      domain: 'trees',
      stepsPerEpisode: 3,
    });
    expect(answer).toContain(`[episode ${long}]`);
    expect(answer).toMatch(/why \(score [\d.]+\): words match step 9 /);
    expect(answer).toMatch(
      / {2}1\. ✓ read_file src\/tree\/part1\.ts.*\n {2}9\. ✗ npm test → RangeError: Maximum call stack size exceeded.*\n {2}10\. ✓ edit_file src\/tree\/walk\.ts.*\n {2}\(9 more steps\)/,
    );
  });

  it("episode://{id} reads on past the store's page; episode://{id}/steps/{cursor} starts at a step", async () => {
    const read = async (uri: string) =>
      JSON.parse(((await client.readResource({ uri })).contents[0] as { text: string }).text);
    const numbers = (steps: { stepNumber: number }[]) => steps.map((step) => step.stepNumber);
    // Twelve short steps fit one read, though the store answers them five at a time.
    const episode = await read(`episode://${long}`);
    expect(episode).toMatchObject({ id: long, stepCount: 12, nextStepsCursor: null });
    expect(numbers(episode.steps)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const rest = await read(`episode://${long}/steps/9`);
    expect(numbers(rest.items)).toEqual([9, 10, 11, 12]);
    expect(rest.nextCursor).toBeNull();

    const { resourceTemplates } = await client.listResourceTemplates();
    const steps = resourceTemplates.find(
      (template) => template.uriTemplate === 'episode://{id}/steps/{cursor}',
    );
    expect(steps?.description).toMatch(/nextStepsCursor/);
    await expect(
      client.readResource({ uri: 'episode://01936f3e-0000-7000-8000-000000000000/steps/6' }),
    ).rejects.toThrow(/not found/);
    await expect(client.readResource({ uri: `episode://${long}/steps/not-a-cursor` })).rejects.toThrow(
      /cursor/,
    );
  });
});
