/** Where a vocabulary model (`WordPiece`, `Unigram`) turns one pre-tokenized word into token ids. */
export interface TokenModel {
  /** Token ids of `word`; unknown parts come out as `unkId`. */
  tokenize(word: string): number[];
  unkId: number | undefined;
  /** Every token string with its id: added tokens are looked up here too. */
  vocab: ReadonlyMap<string, number>;
}

export interface WordPieceSpec {
  vocab: Record<string, number>;
  unkToken: string;
  prefix: string;
  maxInputCharsPerWord: number;
}

/**
 * BERT's WordPiece as Hugging Face's tokenizers runs it: greedy longest match from the left,
 * pieces after the first carry the `##` prefix, and a word with any part outside the vocabulary
 * (or longer than `maxInputCharsPerWord` characters) becomes the one unknown token.
 */
export function createWordPiece(spec: WordPieceSpec): TokenModel {
  const vocab = new Map(Object.entries(spec.vocab));
  const unkId = vocab.get(spec.unkToken);
  let longest = 1;
  for (const token of vocab.keys()) longest = Math.max(longest, [...token].length);
  return {
    vocab,
    unkId,
    tokenize(word) {
      const chars = [...word];
      const unknown = unkId === undefined ? [] : [unkId];
      if (chars.length > spec.maxInputCharsPerWord) return unknown;
      const ids: number[] = [];
      for (let start = 0; start < chars.length; ) {
        let found: number | undefined;
        let end = Math.min(chars.length, start + longest);
        for (; end > start; end -= 1) {
          const piece = chars.slice(start, end).join('');
          found = vocab.get(start > 0 ? spec.prefix + piece : piece);
          if (found !== undefined) break;
        }
        if (found === undefined) return unknown;
        ids.push(found);
        start = end;
      }
      return ids;
    },
  };
}
