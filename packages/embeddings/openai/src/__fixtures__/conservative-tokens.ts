/**
 * Tokens of `text` in a deliberately simple model of OpenAI's tokenizers that counts more than
 * they do, yet never more than UTF-8 bytes, the bound byte-level BPE guarantees: a run of ASCII
 * letters, with the space before it, is a token per 4 characters (cl100k: a common word with its
 * space is one); any other ASCII character is one, so hex and base64 run close to one per
 * character; a non-ASCII code point is its UTF-8 bytes (cl100k: a common CJK character is 1 or 2).
 */
export function countTokens(text: string): number {
  let tokens = 0;
  for (const [piece] of text.matchAll(/ ?[A-Za-z]+|[\s\S]/gu)) {
    tokens += /[A-Za-z]$/.test(piece) ? Math.ceil(piece.length / 4) : Buffer.byteLength(piece);
  }
  return tokens;
}
