/** UTF-8 length of the code point `code` (a lone surrogate counts as the U+FFFD it is sent as). */
function utf8Bytes(code: number): number {
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  return code < 0x10000 ? 3 : 4;
}

/**
 * English runs about 4 characters per token with OpenAI's tokenizers, code and logs about 3: at 2
 * per token, ASCII text is cut where `maxInputChars` (16,000) cuts it anyway. Not a bound: dense
 * ASCII (hex, base64) can take more, and the server's refusal catches that (`embedWithinContext`).
 */
const asciiTokens = 0.5;

/** The estimate's tokens for the code point `code`: see {@link cutToTokenEstimate}. */
const estimatedTokens = (code: number): number => (code < 0x80 ? asciiTokens : utf8Bytes(code));

/** The longest prefix of `text`, whole code points, whose code points cost at most `budget` in all. */
function cutByCost(text: string, budget: number, cost: (code: number) => number): string {
  let spent = 0;
  let end = 0;
  for (const char of text) {
    spent += cost(char.codePointAt(0) as number);
    if (spent > budget) return text.slice(0, end);
    end += char.length;
  }
  return text;
}

/**
 * Cuts `text` to at most `maxBytes` bytes of UTF-8. Byte-level BPE (OpenAI's tokenizers) never
 * makes more tokens than bytes, so a text cut to `maxBytes = maxTokens` fits for certain.
 */
export function cutToUtf8Bytes(text: string, maxBytes: number): string {
  return cutByCost(text, maxBytes, utf8Bytes);
}

/**
 * Cuts `text` where an estimate of its tokens reaches `maxTokens`: each non-ASCII code point
 * counts as its UTF-8 bytes (the bound, so CJK and other scripts always fit), each ASCII
 * character as half a token (an estimate, so that English keeps its full length).
 */
export function cutToTokenEstimate(text: string, maxTokens: number): string {
  return cutByCost(text, maxTokens, estimatedTokens);
}

/** The tokens of `text` by the estimate `cutToTokenEstimate` cuts with. */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const char of text) tokens += estimatedTokens(char.codePointAt(0) as number);
  return tokens;
}
