import { z } from 'zod';

/**
 * Every time Episodic stores is ISO-8601 UTC with milliseconds (`2026-11-27T03:21:02.123Z`), so
 * text order is time order and range filters can use the indexes.
 */
export const timestampSchema = z
  .union([z.iso.datetime({ offset: true }), z.date()])
  .transform((value, ctx) => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid date' });
      return z.NEVER;
    }
    return date.toISOString();
  });

export function nowIso(): string {
  return new Date().toISOString();
}
