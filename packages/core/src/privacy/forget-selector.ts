import { z } from 'zod';
import { SqlFilter } from '../db/sql-filter.js';
import { checkedFirst } from '../schemas/checked-first.js';
import type { InputSchemas } from '../schemas/input-schemas.js';
import { timestampTextSchema } from '../schemas/timestamp.js';
import type { AccessScope } from '../types.js';

const metadataValue = z.union([z.string().max(1024), z.number(), z.boolean(), z.null()], {
  error: 'must be a string (up to 1,024 characters), a number, a boolean or null',
});

/** The most metadata keys one selector may match on. */
const maxSelectorKeys = 100;

/**
 * Metadata values to match. Its keys are counted before the values are checked (700,000 of them
 * held the serving thread 12 s), and each key is a condition of its own: a thousand passed
 * SQLite's expression depth limit.
 */
function countedMatch() {
  const match = z
    .record(z.string().min(1).max(128), metadataValue)
    .refine((given) => Object.keys(given).length > 0, 'must name at least one key');
  return checkedFirst(match, (given, ctx) => {
    if (typeof given === 'object' && given !== null && Object.keys(given).length > maxSelectorKeys)
      ctx.addIssue({ code: 'custom', message: `must name at most ${maxSelectorKeys} keys` });
  });
}

/** Which episodes to forget: by id, every episode of a domain (optionally only older ones), or by metadata values. */
export function forgetSelectorSchema(schemas: Pick<InputSchemas, 'id' | 'domain'>) {
  const shapes = [
    z.strictObject({ episodeIds: z.array(schemas.id).min(1).max(10_000) }),
    // A time in the years 0000–9999 once in UTC: one past them matched nothing, and the forget
    // answered as if the domain held nothing that old.
    z.strictObject({ domain: schemas.domain, createdBefore: timestampTextSchema.optional() }),
    z.strictObject({
      metadata: countedMatch(),
    }),
  ] as const;
  /** The shape whose first key (`episodeIds`, `domain`, `metadata`) the input holds, if just one. */
  const namedShape = (input: unknown): number => {
    if (typeof input !== 'object' || input === null) return -1;
    const named = shapes.flatMap((shape, at) =>
      (Object.keys(shape.shape)[0] as string) in input ? [at] : [],
    );
    return named.length === 1 ? (named[0] as number) : -1;
  };
  const union = z.union(shapes, {
    // zod reports only "Invalid input" when no shape fits: say what would.
    error: (issue) =>
      issue.code === 'invalid_union'
        ? 'must be one of { episodeIds }, { domain, createdBefore? } or { metadata }'
        : undefined,
  });
  // An input that names one shape is refused as that shape refuses it, each issue at its own
  // path (`metadata.ticket`, `episodeIds.3`): as one issue of the union they all read `(input)`,
  // the path only in the message, and a client could not tell which field to fix.
  return checkedFirst(union, (input, ctx) => {
    const shape = shapes[namedShape(input)];
    const parsed = shape?.safeParse(input);
    for (const issue of parsed?.error?.issues ?? [])
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
}
export type ForgetSelector = z.output<ReturnType<typeof forgetSelectorSchema>>;

/**
 * A top-level metadata key holding `type`/`value`, matched by `json_each`'s key rather than a JSON
 * path: SQLite's paths cannot name every key (a `"` inside a quoted label is not read as one), and
 * a deletion request must never match nothing because of the characters in a key.
 */
const keyHolds = (condition: string) =>
  `EXISTS (SELECT 1 FROM json_each(episodes.metadata) m WHERE m.key = ? AND ${condition})`;

/** The episodes a selector names, within the caller's scope, as a WHERE clause over `episodes`. */
export function selectorFilter(selector: ForgetSelector, scope: AccessScope | undefined): SqlFilter {
  const filter = new SqlFilter().scope('domain', scope);
  if ('episodeIds' in selector) {
    return filter.when(`id IN (${selector.episodeIds.map(() => '?').join(', ')})`, ...selector.episodeIds);
  }
  if ('domain' in selector) {
    return filter.when('domain = ?', selector.domain).when('created_at < ?', selector.createdBefore);
  }
  for (const [key, value] of Object.entries(selector.metadata)) {
    if (value === null) filter.when(keyHolds("m.type = 'null'"), key);
    else if (typeof value === 'boolean') filter.when(keyHolds('m.type = ?'), key, value ? 'true' : 'false');
    // `json_each` gives an object or array as its JSON text: a string must match a string only.
    else if (typeof value === 'string') filter.when(keyHolds("m.type = 'text' AND m.value = ?"), key, value);
    else filter.when(keyHolds("m.type IN ('integer', 'real') AND m.value = ?"), key, value);
  }
  return filter;
}
