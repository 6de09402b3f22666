import { createLocalEmbeddings } from '@episodic/embeddings-local';
import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { describe, expect, it, vi } from 'vitest';
import { maxBatchSize } from '../src/http/request-handler.js';
import { startTestServer } from './__fixtures__/test-server.js';

/**
 * A server whose embedding provider (the local one) notes each text it is asked to embed and,
 * while `hold()` is in force, keeps those calls waiting: a retrieve then stays running,
 * deterministically, for as long as the test wants. Disposing it releases the held calls before
 * the server drains, so a failing check does not leave them waiting.
 */
async function startHeldServer(maxCallsPerToken: number) {
  const local = createLocalEmbeddings();
  const seen: string[] = [];
  let held: { promise: Promise<void>; release: () => void } | null = null;
  const provider: EmbeddingProviderV1 = {
    ...local,
    async embed(texts, options) {
      seen.push(...texts);
      await held?.promise;
      return local.embed(texts, options);
    },
  };
  const release = () => {
    held?.release();
    held = null;
  };
  const t = await startTestServer({ miners: [], embeddings: provider, maxCallsPerToken });
  return {
    t,
    /** The retrieve queries embedded so far, in order (the start check's samples left out). */
    queries: () => seen.filter((text) => text.startsWith('task ')),
    hold() {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      held = { promise, release: resolve };
    },
    release,
    async [Symbol.asyncDispose]() {
      release();
      await t.close();
    },
  };
}

async function gauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'mu').exec(text)?.[1]);
}

/** Waits, with room for a loaded machine, until `/metrics` shows `value` calls waiting. */
async function untilWaiting(url: string, value: number): Promise<void> {
  await vi.waitFor(async () => expect(await gauge(url, 'episodic_calls_waiting')).toBe(value), {
    timeout: 30_000,
    interval: 50,
  });
}

describe('calls per token', () => {
  it("runs at most maxCallsPerToken of a token's calls at once, in order, and another token's call does not wait behind them", async () => {
    await using embeddings = await startHeldServer(2);
    const { t } = embeddings;
    const busy = t.client(await t.token({ name: 'busy', scopes: ['read'] }));
    const other = t.client(await t.token({ name: 'other', scopes: ['read'] }));

    embeddings.hold();
    // Five calls in one tick: one batched request, so the server receives them in this order.
    const burst = [1, 2, 3, 4, 5].map((n) => busy.search.retrieve.query({ text: `task busy ${n}` }));
    await untilWaiting(t.url, 3);
    // Two run (held in the provider); three wait their turn and have not reached the engine.
    expect(embeddings.queries()).toEqual(['task busy 1', 'task busy 2']);
    expect(await gauge(t.url, 'episodic_calls_running')).toBe(2);

    // The other token's call goes straight to the engine, ahead of the three waiting.
    const single = other.search.retrieve.query({ text: 'task other' });
    await vi.waitFor(() => expect(embeddings.queries()).toContain('task other'), {
      timeout: 30_000,
      interval: 20,
    });
    expect(embeddings.queries()).toEqual(['task busy 1', 'task busy 2', 'task other']);

    embeddings.release();
    const answers = await Promise.all([...burst, single]);
    expect(answers.map((answer) => answer.episodes)).toEqual([[], [], [], [], [], []]);
    expect(embeddings.queries()).toEqual([
      'task busy 1',
      'task busy 2',
      'task other',
      'task busy 3',
      'task busy 4',
      'task busy 5',
    ]);
    expect(await gauge(t.url, 'episodic_calls_waiting')).toBe(0);
  }, 120_000);

  it("counts a token's OTLP trace exports with its API calls", async () => {
    await using embeddings = await startHeldServer(1);
    const { t } = embeddings;
    const token = await t.token({ name: 'agent', scopes: ['read', 'write'] });
    embeddings.hold();
    const retrieve = t.client(token).search.retrieve.query({ text: 'task traced' });
    await vi.waitFor(() => expect(embeddings.queries()).toEqual(['task traced']), {
      timeout: 30_000,
      interval: 20,
    });
    // One root span: an episode of its own. It waits while the token's one call runs.
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const exported = fetch(`${t.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'episodic.domain', value: { stringValue: 'agents' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: 'b7ad6b7169203331',
                    name: 'fix the checkout test',
                    startTimeUnixNano: '1700000000000000000',
                    endTimeUnixNano: '1700000000005000000',
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    await untilWaiting(t.url, 1);
    expect((await t.server.memory.episodes.list({})).items).toEqual([]);

    embeddings.release();
    expect((await exported).status).toBe(200);
    await retrieve;
    expect((await t.server.memory.episodes.list({})).items).toHaveLength(1);
  }, 120_000);

  it('refuses a request batching more than 100 calls with 400', async () => {
    await using t = await startTestServer({ miners: [], embeddings: 'none' });
    const token = await t.token({ name: 'batcher', scopes: ['read'] });
    const call = (calls: number) =>
      fetch(`${t.url}/trpc/${Array(calls).fill('session.whoami').join(',')}?batch=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, {}]))),
      });
    expect(maxBatchSize).toBe(100);
    const allowed = await call(maxBatchSize);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toHaveLength(maxBatchSize);
    const refused = await call(maxBatchSize + 1);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: { message: 'Batch call exceeds maximum size', data: { code: 'BAD_REQUEST', httpStatus: 400 } },
    });
  }, 120_000);
});
