import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Longest stretch of work between two chances for timers, I/O and an abort to run. */
const sliceMs = 8;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * For a provider that computes vectors on this thread (a hashing or a local model): embeds each
 * text in order, yielding to the event loop every few milliseconds. A long batch must not hold a
 * server's event loop, and an abort can only be seen between slices; it rejects with
 * `signal.reason`.
 */
export async function embedInSlices(
  texts: readonly string[],
  embedOne: (text: string) => Float32Array,
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  if (signal?.aborted) throw abortError(signal);
  const vectors: Float32Array[] = [];
  let sliceStart = performance.now();
  for (const text of texts) {
    vectors.push(embedOne(text));
    if (performance.now() - sliceStart > sliceMs) {
      await yieldToEventLoop();
      if (signal?.aborted) throw abortError(signal);
      sliceStart = performance.now();
    }
  }
  if (signal?.aborted) throw abortError(signal);
  return vectors;
}
