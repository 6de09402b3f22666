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

/** Said of text that is no such time: "Invalid ISO datetime" was said of a valid ISO time without a zone too. */
const isoTimeText = z.iso.datetime({
  offset: true,
  error:
    'must be a valid ISO-8601 date and time with a zone, Z or ±hh:mm (2024-03-03T06:00:00Z, 2024-03-03T11:30:00+05:30)',
});

export const timestampSchema = z.union([isoTimeText, z.date()]).transform(storedTime);

/**
 * A {@link timestampSchema} that keeps the zone it was given in (`retrieve`'s `at`: the dates a
 * query names are read on the asker's calendar), checked the same way; a `Date` as UTC text.
 * Parsed twice (the server, then the engine) it keeps it too, where the stored form did not.
 */
export const zonedTimestampSchema = z.union([isoTimeText, z.date()]).transform((value, ctx) => {
  const iso = storedTime(value, ctx);
  return typeof value === 'string' ? value : iso;
});

/**
 * A {@link timestampSchema} given as ISO-8601 text only: the bounds of `admin.audit` and
 * `admin.forget`, whose types have always said a string.
 */
export const timestampTextSchema = isoTimeText.transform(storedTime);

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
