import type { RetrievedEpisode } from './retrieval-result.js';

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * Maximal marginal relevance over the best `window` of `ranked` (best first): each next pick
 * maximises `lambda · score / bestScore − (1 − lambda) · max cosine to the picks so far`. An
 * episode without a vector counts as unlike every other. The rest keeps its order.
 */
export function diversify(
  ranked: readonly RetrievedEpisode[],
  vectorOf: (episodeId: string) => Float32Array | null,
  lambda: number,
  window: number,
): RetrievedEpisode[] {
  if (lambda >= 1 || ranked.length < 2) return [...ranked];
  const head = ranked.slice(0, window);
  const best = head[0]?.score || 1;
  const vectors = head.map((result) => vectorOf(result.episode.id));
  const picked: number[] = [];
  const left = new Set(head.keys());
  while (left.size > 0) {
    let choice = -1;
    let value = Number.NEGATIVE_INFINITY;
    for (const index of left) {
      const vector = vectors[index];
      let similar = 0;
      if (vector !== null && vector !== undefined)
        for (const other of picked) {
          const v = vectors[other];
          if (v !== null && v !== undefined) similar = Math.max(similar, cosine(vector, v));
        }
      const score = lambda * ((head[index] as RetrievedEpisode).score / best) - (1 - lambda) * similar;
      if (score > value) {
        value = score;
        choice = index;
      }
    }
    picked.push(choice);
    left.delete(choice);
  }
  return [...picked.map((index) => head[index] as RetrievedEpisode), ...ranked.slice(window)];
}
