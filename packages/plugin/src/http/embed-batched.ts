import { batchBySize } from './batch-by-size.js';

/** What `embedBatched` needs to know about the API behind it. */
export interface EmbedBatchedOptions {
  /** Length of every vector: empty texts get this many zeros without a request. */
  dimensions: number;
  /** Most texts per request. */
  maxBatchSize: number;
  /** Most characters per request, summed over its texts (a stand-in for a token budget). Default: no limit. */
  maxBatchChars?: number | undefined;
  /** Longer texts are cut to this many characters, so no text exceeds the model's context. */
  maxInputChars: number;
  signal?: AbortSignal | undefined;
}

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The part of `embed` every HTTP provider needs, around one request per batch: rejects at once
 * when `signal` has fired; cuts texts to `maxInputChars`, and gives those that are then empty or
 * whitespace-only the zero vector without asking (APIs refuse them); makes the others well-formed
 * UTF-16 (a lone surrogate becomes U+FFFD, which JSON can carry); sends batches within
 * `maxBatchSize` and `maxBatchChars`, one after the other; and returns one vector per text, in
 * input order. `embedBatch` must return one vector per text it is given, in order.
 *
 * @example
 * embed: (texts, { signal } = {}) =>
 *   embedBatched(texts, { dimensions, maxBatchSize: 96, maxInputChars: 8000, signal }, (batch) =>
 *     callMyApi(batch, signal),
 *   ),
 */
export async function embedBatched(
  texts: readonly string[],
  options: EmbedBatchedOptions,
  embedBatch: (batch: string[]) => Promise<readonly Float32Array[]>,
): Promise<Float32Array[]> {
  options.signal?.throwIfAborted();
  const vectors: Float32Array[] = new Array(texts.length);
  const pending: { index: number; text: string }[] = [];
  texts.forEach((text, index) => {
    const cut = text.slice(0, options.maxInputChars);
    if (cut.trim() === '') vectors[index] = new Float32Array(options.dimensions);
    else pending.push({ index, text: cut.replace(loneSurrogate, '\ufffd') });
  });
  const batches = batchBySize(pending, {
    maxItems: options.maxBatchSize,
    maxSize: options.maxBatchChars,
    sizeOf: (item) => item.text.length,
  });
  for (const batch of batches) {
    const embedded = await embedBatch(batch.map((item) => item.text));
    batch.forEach((item, position) => {
      vectors[item.index] = embedded[position] as Float32Array;
    });
  }
  return vectors;
}
