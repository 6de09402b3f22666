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
});
