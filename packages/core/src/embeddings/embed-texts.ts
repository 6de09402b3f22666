import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { EpisodicError } from '../errors.js';
import { type Deadline, withinDeadline } from '../within-deadline.js';
import { embeddingStamp } from './embedding-stamp.js';
import { normalize } from './vector-codec.js';

function broken(provider: EmbeddingProviderV1, detail: string): EpisodicError {
  return new EpisodicError(
    'EMBEDDING',
    `Embedding provider ${embeddingStamp(provider)} broke its contract: ${detail}.`,
  );
}

/** A bound on each `embed()` call: its length and the setting that gives it, named when it passes. */
export type EmbedDeadline = Pick<Deadline, 'timeoutMs' | 'setting'>;

/**
 * Embeds `texts` through `provider`, at most `maxBatchSize` per call, and returns unit-length
 * vectors. Everything a provider returns is checked before it can reach the store: a wrong count,
 * a wrong length or a non-finite number would otherwise corrupt every later similarity. With
 * `deadline`, a call that has not settled by then fails as the provider failing, and one that
 * ignores `signal` is let go when it aborts: an `embed()` that never settled held its batch of
 * the learning queue for good, with no word, and a store's `close()` with it.
 */
export async function embedTexts(
  provider: EmbeddingProviderV1,
  texts: readonly string[],
  signal?: AbortSignal,
  deadline?: EmbedDeadline,
): Promise<Float32Array[]> {
  const batchSize = Math.max(1, Math.floor(provider.maxBatchSize));
  const vectors: Float32Array[] = [];
  signal?.throwIfAborted();
  for (let start = 0; start < texts.length; start += batchSize) {
    // An in-process model computes synchronously: let requests in between its batches.
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    const batch = texts.slice(start, start + batchSize);
    let embedded: Float32Array[];
    try {
      embedded =
        deadline === undefined
          ? await provider.embed(batch, { signal })
          : await withinDeadline((bounded) => provider.embed(batch, { signal: bounded }), {
              ...deadline,
              signal,
              what: 'embed()',
            });
    } catch (error) {
      // An abort is the caller's own doing: it keeps its reason rather than becoming a provider failure.
      if (EpisodicError.isInstance(error) || signal?.aborted === true) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new EpisodicError(
        'EMBEDDING',
        `Embedding provider ${embeddingStamp(provider)} failed: ${message}`,
        {
          cause: error,
        },
      );
    }
    if (!Array.isArray(embedded) || embedded.length !== batch.length) {
      throw broken(
        provider,
        `asked for ${batch.length} vectors, got ${Array.isArray(embedded) ? embedded.length : typeof embedded}`,
      );
    }
    for (const [index, vector] of embedded.entries()) {
      if (!(vector instanceof Float32Array) || vector.length !== provider.dimensions) {
        throw broken(
          provider,
          `vector ${index} is not a Float32Array of ${provider.dimensions} numbers: it is ${vectorKind(vector)}`,
        );
      }
      // Copied so that normalising never writes into a buffer the provider may reuse.
      const copy = Float32Array.from(vector);
      if (!copy.every(Number.isFinite)) throw broken(provider, 'a vector holds NaN or Infinity');
      vectors.push(normalize(copy));
    }
  }
  return vectors;
}

/** What a provider gave in place of a vector, for the message that refuses it. */
function vectorKind(value: unknown): string {
  const length = (value as { length?: unknown } | null)?.length;
  if (value instanceof Float32Array) return `a Float32Array of ${value.length}`;
  if (Array.isArray(value)) return `an Array of ${value.length}`;
  if (ArrayBuffer.isView(value) && typeof length === 'number')
    return `a ${value.constructor.name} of ${length}`;
  return value === null ? 'null' : `a value of type ${typeof value}`;
}
