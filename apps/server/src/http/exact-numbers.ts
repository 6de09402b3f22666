/** A JSON string (skipped), or an integer literal of 16 digits or more with no fraction or exponent. */
const tokens = /"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?\d{16,}(?![.eE\d])/gu;
const longDigits = /\d{16}/u;

/**
 * The first integer literal of a JSON text that a JavaScript number cannot hold exactly
 * (`12345678901234567890`, a 64-bit id a Python or Go client sends as a number), or `null`.
 * `JSON.parse` rounds such a literal to the nearest double without a word, so it was stored and
 * read back as another number. Literals with a fraction or an exponent are floating point by
 * intent and left alone; a text with no run of 16 digits is not scanned further.
 */
export function inexactInteger(text: string): string | null {
  if (!longDigits.test(text)) return null;
  tokens.lastIndex = 0;
  for (let match = tokens.exec(text); match !== null; match = tokens.exec(text)) {
    const literal = match[0];
    if (literal.startsWith('"')) continue;
    if (BigInt(Number(literal)) !== BigInt(literal)) return literal;
  }
  return null;
}
