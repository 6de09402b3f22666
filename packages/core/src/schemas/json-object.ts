import { z } from 'zod';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Where in `value` a `__proto__` key sits, if anywhere (JSON.parse makes them; plain objects cannot keep them). */
function protoKeyPath(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return [...path, key];
    const found = protoKeyPath((value as Record<string, unknown>)[key], [...path, Array.isArray(value) ? Number(key) : key]);
    if (found !== null) return found;
  }
  return null;
}

/**
 * A JSON object (never an array or a scalar) whose serialised text is at most `maxChars` long.
 * A `__proto__` key is refused: copying it into an object would set the prototype instead of a
 * key, so it could not be stored faithfully.
 */
export function jsonObjectSchema(maxChars: number) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      const path = protoKeyPath(value);
      if (path !== null) ctx.addIssue({ code: 'custom', path, message: 'the key "__proto__" is not allowed' });
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
