import type { JsonObject } from '@episodic/plugin';
import { z } from 'zod';
import { loneSurrogate } from './stored-text.js';

/** Deepest nesting accepted: far beyond any real metadata, and shallow enough for recursive code to walk. */
export const maxJsonDepth = 64;

type Path = (string | number)[];

interface Inspection {
  /** More values than `maxChars`: each takes at least one character of JSON, so it cannot fit. */
  tooLong: boolean;
  tooDeep: Path | null;
  protoKey: Path | null;
  /** A key or string with a lone surrogate: SQLite's JSON functions would read it as bytes that are not UTF-8. */
  illFormed: Path | null;
}

/**
 * Where `value` first nests deeper than `maxJsonDepth`, where a `__proto__` key sits (JSON.parse
 * makes them; plain objects cannot keep them), and where a key or string holds a lone surrogate.
 * Iterative: hostile input may nest far deeper than the call stack reaches. It stops past
 * `maxChars` values: 6 MB of arguments holding 2,000,000 empty arrays (an OTLP tool span) was
 * walked whole, and validated whole again, before its length was found too long (6 s on the
 * thread that serves every request).
 */
function inspect(value: unknown, maxChars: number): Inspection {
  const pending: { value: unknown; path: Path }[] = [{ value, path: [] }];
  let protoKey: Path | null = null;
  let illFormed: Path | null = null;
  let found = 1;
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string' && loneSurrogate.test(current)) illFormed ??= path;
    if (typeof current !== 'object' || current === null) continue;
    if (path.length >= maxJsonDepth) return { tooLong: false, tooDeep: path, protoKey, illFormed };
    // An array's length is known before its items are listed: two million of them are not.
    found += Array.isArray(current) ? current.length : 0;
    if (found > maxChars) return { tooLong: true, tooDeep: null, protoKey, illFormed };
    for (const key of Object.keys(current)) {
      if (!Array.isArray(current) && ++found > maxChars)
        return { tooLong: true, tooDeep: null, protoKey, illFormed };
      if (key === '__proto__') protoKey ??= [...path, key];
      if (loneSurrogate.test(key)) illFormed ??= [...path, key];
      pending.push({
        value: (current as Record<string, unknown>)[key],
        path: [...path, Array.isArray(current) ? Number(key) : key],
      });
    }
  }
  return { tooLong: false, tooDeep: null, protoKey, illFormed };
}

/**
 * A JSON object (never an array or a scalar) whose serialised text is at most `maxChars` long,
 * nested at most `maxJsonDepth` levels. A `__proto__` key is refused: copying it into an object would set the prototype instead of a
 * key, so it could not be stored faithfully.
 */
export function jsonObjectSchema(maxChars: number) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      const { tooLong, tooDeep, protoKey, illFormed } = inspect(value, maxChars);
      if (tooLong)
        ctx.addIssue({ code: 'custom', message: `must serialise to at most ${maxChars} characters of JSON` });
      else if (tooDeep !== null)
        ctx.addIssue({ code: 'custom', message: `must not nest deeper than ${maxJsonDepth} levels` });
      else if (protoKey !== null)
        ctx.addIssue({ code: 'custom', path: protoKey, message: 'the key "__proto__" is not allowed' });
      else if (illFormed !== null)
        ctx.addIssue({
          code: 'custom',
          path: illFormed,
          message: 'must be well-formed Unicode (no lone surrogates)',
        });
    })
    .pipe(z.record(z.string(), z.json()))
    .superRefine((value, ctx) => {
      const length = JSON.stringify(value).length;
      if (length > maxChars) {
        ctx.addIssue({
          code: 'custom',
          message: `must serialise to at most ${maxChars} characters of JSON (got ${length})`,
        });
      }
    }) as unknown as z.ZodType<JsonObject>;
}
