import { z } from 'zod';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A JSON object (never an array or a scalar) whose serialised text is at most `maxChars` long. */
export function jsonObjectSchema(maxChars: number) {
  return z
    .record(z.string(), z.json())
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
