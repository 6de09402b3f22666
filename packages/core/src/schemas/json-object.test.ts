import { describe, expect, it } from 'vitest';
import { jsonObjectSchema, maxJsonDepth } from './json-object.js';

const schema = jsonObjectSchema(1_000_000);
const nested = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown;

describe('JSON object schema', () => {
  it('refuses nesting deeper than the limit with an issue, however deep, instead of overflowing the stack', () => {
    expect(schema.safeParse(nested(maxJsonDepth)).success).toBe(true);
    for (const depth of [maxJsonDepth + 1, 100_000]) {
      const result = schema.safeParse(nested(depth));
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.message)).toEqual([
        `must not nest deeper than ${maxJsonDepth} levels`,
      ]);
    }
    const arrays = JSON.parse(`{"list":${'['.repeat(50_000)}${']'.repeat(50_000)}}`) as unknown;
    expect(schema.safeParse(arrays).success).toBe(false);
  });

  it('names the path of a __proto__ key', () => {
    const result = schema.safeParse(JSON.parse('{"a": [{"b": 1}, {"__proto__": {}}]}'));
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['a', 1, '__proto__']]);
  });

  it('names the path of a key or string with a lone surrogate, and keeps whole pairs', () => {
    // SQLite's JSON functions read `\ud800` as bytes that are not UTF-8 (see stored-text.ts).
    for (const [json, path] of [
      ['{"a": {"b": ["ok", "x\\ud800"]}}', ['a', 'b', 1]],
      ['{"a": {"\\udfff": 1}}', ['a', '\udfff']],
    ] as const) {
      const result = schema.safeParse(JSON.parse(json));
      expect(result.error?.issues.map(({ path, message }) => ({ path, message }))).toEqual([
        { path, message: 'must be well-formed Unicode (no lone surrogates)' },
      ]);
    }
    expect(schema.safeParse({ emoji: '🙂', '🔥': 'ok' }).success).toBe(true);
  });

  it('refuses more values than fit in the limit before walking or validating them all', () => {
    // Each value takes at least one character of JSON. 6 MB of OTLP tool arguments holding two
    // million empty arrays were walked and validated whole (seconds on the serving thread) before
    // their length was measured.
    const small = jsonObjectSchema(1_000);
    const many = { a: Array.from({ length: 2_000_000 }, () => []) };
    expect(small.safeParse(many).error?.issues.map((issue) => issue.message)).toEqual([
      'must serialise to at most 1000 characters of JSON',
    ]);
    const wide = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, 0]));
    expect(small.safeParse(wide).error?.issues.map((issue) => issue.message)).toEqual([
      'must serialise to at most 1000 characters of JSON',
    ]);
    // Within the count, the length itself still decides.
    expect(small.safeParse({ text: 'x'.repeat(2_000) }).error?.issues.map((issue) => issue.message)).toEqual([
      'must serialise to at most 1000 characters of JSON (got 2011)',
    ]);
  });
});
