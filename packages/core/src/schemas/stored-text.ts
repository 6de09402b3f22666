import { z } from 'zod';

/** A UTF-16 surrogate without its other half (UTF-8 cannot encode it). */
export const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const loneSurrogates = new RegExp(loneSurrogate.source, 'g');

/**
 * `text` with each lone surrogate replaced by U+FFFD. For text that is recorded rather than
 * validated (the audit log's ids): sent to SQL inside JSON, as `\ud800`, SQLite's JSON functions
 * store it as bytes that are not UTF-8, and libSQL's driver aborts the whole process (a Rust
 * panic, not an exception) on reading them back.
 */
export function wellFormed(text: string): string {
  return loneSurrogate.test(text) ? text.replace(loneSurrogates, '\uFFFD') : text;
}

/**
 * Text that libSQL stores and returns unchanged, at most `maxChars` long. Two kinds of string
 * would silently come back different, so they are refused instead: a NUL character (the
 * driver cuts the text there) and a lone UTF-16 surrogate (UTF-8 cannot encode it; it would
 * come back as U+FFFD).
 */
export function storedText(maxChars: number) {
  return z
    .string()
    .max(maxChars)
    .refine((text) => !text.includes('\u0000'), 'must not contain NUL characters')
    .refine((text) => !loneSurrogate.test(text), 'must be well-formed Unicode (no lone surrogates)');
}
