import { createHash } from 'node:crypto';
import type { z } from 'zod';

/** A UUID (version 8: derived, RFC 9562) from a hash: the same trace or span gives the same id on every export. */
export function derivedId(...parts: string[]): string {
  const bytes = createHash('sha256').update(parts.join('\u0000')).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const isDerived = (value: unknown) => typeof value === 'string' && value.length === 36 && value[14] === '8';

/** Every `id` in a request body (an episode's, its steps'), with its path. */
function* ids(value: unknown, path: (string | number)[] = []): Generator<[unknown, (string | number)[]]> {
  if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* ids(item, [...path, i]);
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) {
      if (key === 'id') yield [item, [...path, key]];
      else yield* ids(item, [...path, key]);
    }
}

/**
 * Refuses client-chosen ids of version 8. Those are the ids the OTLP receiver derives from a
 * trace's domain and trace id (and a span's id): public arithmetic, since a trace id travels in
 * every service's `traceparent`. A token allowed in one domain could otherwise take the id another
 * domain's trace will get, in its own domain, and that domain's export would then be refused and lost.
 */
export function withoutDerivedIds<T extends z.ZodType>(schema: T) {
  return schema.superRefine((value, ctx) => {
    for (const [id, path] of ids(value))
      if (isDerived(id))
        ctx.addIssue({
          code: 'custom',
          path,
          message: 'must not be a version-8 UUID: those are the ids the server derives from OTLP traces',
        });
  });
}
