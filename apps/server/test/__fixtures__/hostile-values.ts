import fc from 'fast-check';

/** Text sent on the wire as it is: JSON that `JSON.stringify` cannot produce, or no JSON at all. */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * A value as request-body text. Unlike `JSON.stringify`, it sends what a hostile client can:
 * `1e400` for ±Infinity (valid JSON that parses to Infinity), `NaN` (not JSON), and raw text.
 */
export function toWire(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? '1e400' : '-1e400';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : toWire(item))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${toWire(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Strings an attacker or a broken agent would send. */
export const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates included
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '\uD800',
    'x\uDFFF',
    "'; DROP TABLE episodes; --",
    '" OR 1=1 --',
    'NEAR(a b) AND "x" OR * ^col:',
    '%_\\',
    '🙂🔥',
    '__proto__',
    'constructor',
    'x'.repeat(70_000),
    'y'.repeat(1_000_000),
  ),
);

export const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 2 ** 63, 1.5, 1e-320),
);

/** Objects nested far deeper than any real input: as raw text, so this side never recurses. */
const deepNesting = fc
  .tuple(fc.integer({ min: 64, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    new RawJson(arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  );

/** Any JSON-ish value, with prototype-polluting keys and deep nesting among them. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
    deepNesting,
  ),
  object: fc.oneof(
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString')), tie('value'), {
      maxKeys: 4,
    }),
    fc.constant(JSON.parse('{"__proto__": {"polluted": true}}') as unknown),
    fc.constant(JSON.parse('{"constructor": {"prototype": {"polluted": true}}}') as unknown),
  ),
})).value;

/** Mostly what a real agent sends, with hostile values mixed in, so both paths get exercised. */
export function mostly<T>(plausible: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: plausible, weight: 9 }, { arbitrary: hostile, weight: 1 });
}

export const plausibleText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
export const plausibleMetadata = fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
/** Keys a client should not send: the server refuses unknown fields. */
export const unknownField = mostly(fc.constant(undefined), hostileJson);
