import { z } from 'zod';

/**
 * Every time Episodic stores is ISO-8601 UTC with milliseconds (`2026-11-27T03:21:02.123Z`), so
 * text order is time order and range filters can use the indexes.
 */
function storedTime(value: string | Date, ctx: z.RefinementCtx): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'is not a valid date' });
    return z.NEVER;
  }
  const iso = date.toISOString();
  // A year outside 0000–9999 is written with a sign and six digits, and would sort out of time order.
  if (!/^\d{4}-/u.test(iso)) {
    ctx.addIssue({ code: 'custom', message: 'must lie between the years 0000 and 9999' });
    return z.NEVER;
  }
  return iso;
}

export const timestampSchema = z.union([z.iso.datetime({ offset: true }), z.date()]).transform(storedTime);

/**
 * A {@link timestampSchema} given as ISO-8601 text only: the bounds of `admin.audit` and
 * `admin.forget`, whose types have always said a string.
 */
export const timestampTextSchema = z.iso.datetime({ offset: true }).transform(storedTime);

/**
 * How far ahead of this machine's clock a client's time may be: a caller's clock a little fast is
 * not an error, a date in the future is (recency would rank it above everything recorded today).
 */
export const clockSkewMs = 5 * 60_000;

/**
 * A time something happened: a {@link timestampSchema} no later than now (give or take
 * {@link clockSkewMs}). For an episode recorded after the fact, an import of an older history.
 */
export const pastTimestampSchema = timestampSchema.refine(
  (iso) => Date.parse(iso) <= Date.now() + clockSkewMs,
  'must not be in the future',
);

export function nowIso(): string {
  return new Date().toISOString();
}
