import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartServerOptions } from '../src/server.js';
import { runCli } from './__fixtures__/cli-process.js';
import { startEmbeddingsEndpoint } from './__fixtures__/embeddings-endpoint.js';
import {
  rejection,
  startTestServer,
  type ClientTestServer as TestServer,
} from './__fixtures__/test-server.js';

/**
 * A provider that refuses (an OpenAI-compatible endpoint answering 400, which no client retries)
 * behind a real server with its learning thread: what an operator sees of the failed rows, and
 * the ways back (the API, the CLI, a reindex), through the real tRPC client, CLI and `/metrics`.
 */
const keyEnv = 'EPISODIC_TEST_EMBEDDINGS_KEY';
let endpoint: Awaited<ReturnType<typeof startEmbeddingsEndpoint>>;
let t: TestServer;
/** The flags that open the served store as the server composes it, for the CLI. */
let storeFlags: string[];

const serverOptions = (): Partial<StartServerOptions> => ({
  embeddings: 'openai',
  embeddingsUrl: endpoint.url,
  embeddingsModel: 'test-embed',
  embeddingsDimensions: 16,
  embeddingsApiKeyEnv: keyEnv,
  miners: [],
  learning: { maxAttempts: 1 },
});
const flagsFor = (dataDir: string) => [
  ...['--data-dir', dataDir, '--embeddings', 'openai', '--embeddings-url', endpoint.url],
  ...['--embeddings-model', 'test-embed', '--embeddings-dimensions', '16'],
  ...['--embeddings-api-key-env', keyEnv, '--miners', 'none'],
];

beforeAll(async () => {
  endpoint = await startEmbeddingsEndpoint(16);
  process.env[keyEnv] = 'test-key';
  t = await startTestServer(serverOptions());
  storeFlags = flagsFor(t.dir);
});
afterAll(async () => {
  await t.close();
  await endpoint.close();
});

/** Completes one episode while the provider refuses, and waits until its embedding row failed. */
async function failedEpisode(server: TestServer = t, token = t.adminToken): Promise<string> {
  const admin = server.client(token);
  const failedBefore = (await admin.learning.status.query()).failed;
  endpoint.refuse('The model `test-embed` does not exist');
  const episode = await admin.episodes.start.mutate({
    taskType: 'debugging',
    domain: 'web',
    context: 'Login loops',
  });
  await admin.episodes.complete.mutate({ episodeId: episode.id, status: 'completed' });
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    if ((await admin.learning.status.query()).failed > failedBefore) return episode.id;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the embedding row never failed');
}

const failedGauge = async (server: TestServer = t) =>
  /^episodic_learning_failed\{learner="embeddings"\} (\d+)$/m.exec(
    await (await fetch(`${server.url}/metrics`)).text(),
  )?.[1];

describe('failed learning rows of a server', () => {
  it("show the newest failure's error in learning.status and are queued again by learning.retryFailed", async () => {
    const admin = t.client(t.adminToken);
    const episodeId = await failedEpisode();
    const { learners } = await admin.learning.status.query();
    expect(learners.embeddings).toMatchObject({ pending: 0, failed: 1, lastFailure: { episodeId } });
    expect(learners.embeddings?.lastFailure?.error).toContain('The model `test-embed` does not exist');
    // A message, not a stack trace.
    expect(learners.embeddings?.lastFailure?.error).not.toMatch(/\n\s+at /);

    // Store-wide like status: a token limited to a domain, or without `admin`, may not retry.
    for (const token of [
      await t.token({ name: 'web agent', scopes: ['read', 'write'], domains: ['web'] }),
      await t.token({ name: 'all domains', scopes: ['read', 'write'] }),
    ]) {
      const refused = await rejection(t.client(token).learning.retryFailed.mutate());
      expect(refused.data?.code).toBe('FORBIDDEN');
    }
    expect((await admin.learning.status.query()).failed).toBe(1);

    endpoint.answer();
    expect(await admin.learning.retryFailed.mutate()).toBe(1);
    expect(await admin.learning.flush.mutate({})).toMatchObject({
      failed: 0,
      learners: { embeddings: { failed: 0, lastFailure: null } },
    });
    expect((await admin.episodes.get.query({ episodeId })).embeddingVersion).toBe('openai/test-embed/16');
    expect(await failedGauge()).toBe('0');
  });

  it('are listed by `episodic learning status` and queued again by `episodic learning retry`', async () => {
    const admin = t.client(t.adminToken);
    const episodeId = await failedEpisode();
    const status = await runCli(['learning', 'status', '--json', ...storeFlags]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      failed: 1,
      learners: { embeddings: { failed: 1, lastFailure: { episodeId } } },
    });
    const table = await runCli(['learning', 'status', ...storeFlags]);
    expect(table.stdout).toMatch(
      new RegExp(`embeddings +yes +0 +1 .*episode ${episodeId}: .*does not exist`),
    );

    endpoint.answer();
    const retry = await runCli(['learning', 'retry', '--json', ...storeFlags]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout)).toEqual({ retried: 1 });
    // The server's learning thread takes the row on its next poll.
    expect(await admin.learning.flush.mutate({})).toMatchObject({ pending: 0, failed: 0 });
    expect((await admin.episodes.get.query({ episodeId })).embeddingVersion).not.toBeNull();
  }, 120_000);

  it('stop counting as failed in /metrics once `episodic reindex` (run with the server stopped) embedded their episodes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'episodic-reindex-'));
    try {
      const first = await startTestServer({ ...serverOptions(), dataDir });
      await failedEpisode(first, first.adminToken);
      expect(await failedGauge(first)).toBe('1');
      // reindex refuses beside a running server (it would embed with the model the server is leaving).
      await first.close();
      endpoint.answer();
      const reindex = await runCli(['reindex', '--json', ...flagsFor(dataDir)]);
      expect(reindex.code, reindex.stderr).toBe(0);
      expect(JSON.parse(reindex.stdout)).toMatchObject({ embedded: 1 });
      const again = await startTestServer({ ...serverOptions(), dataDir });
      try {
        expect(await failedGauge(again)).toBe('0');
        expect(await again.client(first.adminToken).learning.retryFailed.mutate()).toBe(0);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
