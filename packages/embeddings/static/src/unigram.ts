import type { TokenModel } from './wordpiece.js';

export interface UnigramSpec {
  /** `[piece, log probability]`, the id being the position. */
  vocab: ReadonlyArray<readonly [string, number]>;
  unkId: number | undefined;
  byteFallback: boolean;
}

/** What an unknown character costs against the rarest piece (Hugging Face's `K_UNK_PENALTY`). */
const unknownPenalty = 10;

/**
 * SentencePiece's Unigram model as Hugging Face's tokenizers runs it: the segmentation of the
 * word with the highest total log probability (Viterbi over characters); a character no piece
 * covers costs the rarest piece's score minus 10 and becomes the unknown token (consecutive
 * unknowns fused into one), or its UTF-8 bytes (`<0x41>`) with byte fallback.
 */
export function createUnigram(spec: UnigramSpec): TokenModel {
  const vocab = new Map<string, number>();
  const scores: number[] = [];
  let longest = 1;
  let minScore = 0;
  spec.vocab.forEach(([piece, score], id) => {
    if (!vocab.has(piece)) vocab.set(piece, id);
    scores[id] = score;
    longest = Math.max(longest, [...piece].length);
    minScore = Math.min(minScore, score);
  });
  const unknownScore = minScore - unknownPenalty;
  const unknownChar = (char: string): number[] => {
    if (spec.byteFallback) {
      const bytes = [...new TextEncoder().encode(char)].map((byte) =>
        vocab.get(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`),
      );
      if (bytes.every((id) => id !== undefined)) return bytes as number[];
    }
    return spec.unkId === undefined ? [] : [spec.unkId];
  };
  return {
    vocab,
    unkId: spec.unkId,
    tokenize(word) {
      const chars = [...word];
      const n = chars.length;
      const best = new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY);
      const from = new Int32Array(n + 1);
      const piece = new Int32Array(n + 1).fill(-1);
      best[0] = 0;
      for (let start = 0; start < n; start += 1) {
        const base = best[start] as number;
        if (base === Number.NEGATIVE_INFINITY) continue;
        let text = '';
        for (let end = start + 1; end <= Math.min(n, start + longest); end += 1) {
          text += chars[end - 1];
          const id = vocab.get(text);
          const score = id === undefined ? (end === start + 1 ? unknownScore : undefined) : scores[id];
          if (score !== undefined && base + score > (best[end] as number)) {
            best[end] = base + score;
            from[end] = start;
            piece[end] = id ?? -1;
          }
        }
      }
      const path: Array<{ start: number; id: number }> = [];
      for (let end = n; end > 0; end = from[end] as number)
        path.push({ start: from[end] as number, id: piece[end] as number });
      const ids: number[] = [];
      let previousUnknown = false;
      for (const step of path.reverse()) {
        if (step.id >= 0) ids.push(step.id);
        else if (spec.byteFallback) ids.push(...unknownChar(chars[step.start] as string));
        else if (!previousUnknown) ids.push(...unknownChar(''));
        previousUnknown = step.id < 0;
      }
      return ids;
    },
  };
}
