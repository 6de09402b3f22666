import type { EmbeddingProviderV1 } from '@episodic/plugin';

/** What `heldEmbeddings` gives: the provider, and the handles a test holds it with. */
export interface HeldEmbeddings {
  provider: EmbeddingProviderV1;
  /** From now on, every call waits for `release()` (or its own signal's abort). */
  hold(): void;
  /** How many calls were held so far. */
  asked(): number;
  /** Lets every held call, and every later one, answer. */
  release(): void;
}

/**
 * An embedding provider that, once `hold()` is called, answers only after `release()` (or its
 * signal aborts): a local model busy with other work, so a `retrieve` waits on it. For tests of
 * callers that must stop waiting on the store when their own caller gives up.
 */
export function heldEmbeddings(): HeldEmbeddings {
  let holding = false;
  let asked = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const provider = {
    specificationVersion: 'v1' as const,
    provider: 'test',
    model: 'held-v1',
    dimensions: 8,
    maxBatchSize: 16,
    deterministic: true,
    async embed(texts: readonly string[], { signal }: { signal?: AbortSignal } = {}) {
      if (holding) {
        asked += 1;
        await new Promise<void>((resolve, reject) => {
          void released.then(resolve);
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      return texts.map(() => new Float32Array(8).fill(1));
    },
  };
  return {
    provider,
    hold: () => {
      holding = true;
    },
    asked: () => asked,
    release,
  };
}
