import { describe, expect, it } from 'vitest';
import { createLetterEmbeddings } from './__fixtures__/letter-embeddings.js';
import { embeddingProviderChecks, resolveSuiteOptions } from './embedding-provider-suite-checks.js';
import { resolveSuiteOptions as resolveMinerSuiteOptions } from './pattern-miner-checks.js';
import { settleGuarded } from './settle-guard.js';

const hangs = () => ({
  ...createLetterEmbeddings(),
  embed: () => new Promise<Float32Array[]>(() => undefined),
});

describe('a plugin call that never settles, in the conformance suites', () => {
  it('fails the check it hangs in, saying so, and every later check at once', async () => {
    const options = resolveSuiteOptions({ timeoutMs: 400 });
    expect(options.callTimeoutMs).toBe(200);
    const guarded = settleGuarded(hangs, 'embed', options.callTimeoutMs);
    const [first, second] = embeddingProviderChecks.filter(
      (check) => check.name !== 'declares the v1 contract',
    );
    const started = Date.now();
    await expect(first?.run(guarded, options)).rejects.toThrow(
      "embed() did not settle within 200 ms (the suite's callTimeoutMs, 200 ms).",
    );
    await expect(second?.run(guarded, options)).rejects.toThrow(
      /^embed\(\) did not settle in an earlier check \(a call given \d+ texts\): fix that first\.$/,
    );
    // Before, each check waited out its own timeout: 12 checks × 3 minutes by default.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('passes a provider that settles through unchanged, its other fields read through', async () => {
    const guarded = settleGuarded(createLetterEmbeddings, 'embed', 1_000);
    const provider = await guarded();
    const plain = createLetterEmbeddings();
    expect([provider.provider, provider.model, provider.dimensions]).toEqual([
      plain.provider,
      plain.model,
      plain.dimensions,
    ]);
    expect(await provider.embed(['abc'])).toEqual(await plain.embed(['abc']));
  });

  it('defaults to half the check timeout, at most 60 s', () => {
    expect(resolveSuiteOptions({}).callTimeoutMs).toBe(60_000);
    expect(resolveSuiteOptions({ timeoutMs: 10_000 }).callTimeoutMs).toBe(5_000);
    expect(resolveSuiteOptions({ callTimeoutMs: 7 }).callTimeoutMs).toBe(7);
    const episodes = [{ steps: [{ action: 'read' }] }];
    expect(resolveMinerSuiteOptions({ episodes }).callTimeoutMs).toBe(60_000);
    expect(resolveMinerSuiteOptions({ episodes, timeoutMs: 3_000 }).callTimeoutMs).toBe(1_500);
  });

  it("fails a miner's mine() that never settles within its own bound", async () => {
    const miner = { mine: (_input: unknown) => new Promise(() => undefined) };
    const guarded = settleGuarded(() => miner, 'mine', 50);
    const input = { episode: { steps: [{}, {}, {}] } };
    await expect((await guarded()).mine(input)).rejects.toThrow('mine() did not settle within 50 ms');
    await expect(guarded()).rejects.toThrow(
      'mine() did not settle in an earlier check (a call given an episode of 3 steps): fix that first.',
    );
  });
});
