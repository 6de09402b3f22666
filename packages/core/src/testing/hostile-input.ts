import fc from 'fast-check';

/**
 * fast-check generators of hostile input, shared by the engine's and the server's property tests
 * (and usable by a plugin's): what an attacker or a broken agent sends.
 */

/** Strings: random text and bytes (lone surrogates included), and the classics of injection. */
export const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
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
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -1,
    -0,
    2 ** 63,
    1.5,
    1e-320,
  ),
);

/**
 * Any JSON-ish value, with prototype-polluting keys among them; `extra` adds leaves of the
 * caller's (the server adds raw wire text nested thousands deep).
 */
export function hostileJson(extra?: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      hostileString,
      hostileNumber,
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      tie('object'),
      ...(extra === undefined ? [] : [extra]),
    ),
    object: fc.oneof(
      fc.dictionary(
        fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString')),
        tie('value'),
        {
          maxKeys: 4,
        },
      ),
      fc.constant(JSON.parse('{"__proto__": {"polluted": true}}') as unknown),
      fc.constant(JSON.parse('{"constructor": {"prototype": {"polluted": true}}}') as unknown),
    ),
  })).value;
}

/** Mostly what a real agent sends (`weight` to 1), with hostile values mixed in, so both paths get exercised. */
export function mostly<T>(
  plausible: fc.Arbitrary<T>,
  hostile: fc.Arbitrary<unknown>,
  weight = 5,
): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: plausible, weight }, { arbitrary: hostile, weight: 1 });
}

export const plausibleText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
export const plausibleMetadata = fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), {
  maxKeys: 4,
});
