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

const isDerived = (id: string | undefined) => id !== undefined && id[14] === '8';

/** A client-chosen id and where it is in the request. */
export type IdAt = readonly [id: string | undefined, path: readonly (string | number)[]];

/** The ids of a list of steps, at `path`. */
export const stepIds = (steps: readonly { id?: string }[] | undefined, path: readonly (string | number)[]) =>
  (steps ?? []).map((step, j): IdAt => [step.id, [...path, j, 'id']]);

/**
 * Refuses client-chosen ids of version 8. Those are the ids the OTLP receiver derives from a
 * trace's domain and trace id (and a span's id): public arithmetic, since a trace id travels in
 * every service's `traceparent`. A token allowed in one domain could otherwise take the id another
 * domain's trace will get, in its own domain, and that domain's export would then be refused and lost.
 */
export function refuseDerivedIds(ctx: z.RefinementCtx, ids: Iterable<IdAt>): void {
  for (const [id, path] of ids)
    if (isDerived(id))
      ctx.addIssue({
        code: 'custom',
        path: [...path],
        message: 'must not be a version-8 UUID: those are the ids the server derives from OTLP traces',
      });
}
