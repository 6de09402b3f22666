import { hostileJson as hostileJsonOf, mostly as mostlyOf } from '@episodic/core/testing';
import fc from 'fast-check';

export { hostileNumber, hostileString, plausibleMetadata, plausibleText } from '@episodic/core/testing';

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
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : toWire(item))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${toWire(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Objects nested far deeper than any real input: as raw text, so this side never recurses. */
const deepNesting = fc
  .tuple(fc.integer({ min: 64, max: 20_000 }), fc.boolean())
  .map(
    ([depth, arrays]) =>
      new RawJson(
        arrays
          ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
          : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
      ),
  );

/** Any JSON-ish value, with prototype-polluting keys and deep nesting among them. */
export const hostileJson = hostileJsonOf(deepNesting);

/** Mostly what a real agent sends, with hostile values mixed in, so both paths get exercised. */
export function mostly<T>(plausible: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return mostlyOf(plausible, hostile, 9);
}

/** Keys a client should not send: the server refuses unknown fields. */
export const unknownField = mostly(fc.constant(undefined), hostileJson);
