import { memoryConfigSchema } from '@episodic/core';
import { z } from 'zod';

/** Engine settings a config may give at the top level; they are passed to `openMemory` with `memory`. */
export const engineKeys = [
  'retrieval',
  'cache',
  'learning',
  'audit',
  'limits',
  'taskTypes',
  'patternTypes',
] as const;
type EngineKey = (typeof engineKeys)[number];
type MemoryKey = keyof typeof memoryConfigSchema.shape;

/**
 * `openMemory` options the server composes from its own settings: under `memory` they would be
 * overridden without a word, so they are refused with the setting to use instead.
 */
const composedByServer: Partial<Record<MemoryKey, string>> = {
  url: 'databaseUrl',
  authToken: 'databaseAuthToken',
  embeddings: 'embeddings',
  miners: 'miners',
};

/**
 * The engine's schema of one setting, refusing unknown keys: some engine objects (`limits`) strip
 * them, which would leave a misspelt limit at its default without a word.
 */
function strictSchema(key: MemoryKey): z.ZodType {
  const schema = memoryConfigSchema.shape[key] as z.ZodType;
  const inner = schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema;
  return inner instanceof z.ZodObject ? inner.strict().optional() : schema;
}

/** Adds `schema`'s issues for `value` under `path`, unknown keys named like any other setting. */
function check(schema: z.ZodType, value: unknown, path: PropertyKey[], ctx: z.RefinementCtx): void {
  const result = schema.safeParse(value);
  for (const issue of result.success ? [] : result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const name of issue.keys)
        ctx.addIssue({ code: 'custom', path: [...path, ...issue.path, name], message: 'unknown setting' });
    } else ctx.addIssue({ code: 'custom', path: [...path, ...issue.path], message: issue.message });
  }
}

/** Validated by the engine's own schema, kept as given: the engine fills the defaults when it opens. */
export function engineSetting(key: EngineKey) {
  return z
    .unknown()
    .superRefine((value, ctx) => check(strictSchema(key), value, [], ctx))
    .optional();
}

/** `memory`: any other `openMemory` option, each validated by the engine's schema, kept as given. */
export const memorySettings = z
  .record(z.string(), z.unknown())
  .superRefine((memory, ctx) => {
    for (const [key, value] of Object.entries(memory)) {
      const instead = composedByServer[key as MemoryKey];
      if (instead !== undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: `set by the server: use ${instead}` });
      else if (Object.hasOwn(memoryConfigSchema.shape, key))
        check(strictSchema(key as MemoryKey), value, [key], ctx);
      else ctx.addIssue({ code: 'custom', path: [key], message: 'unknown setting' });
    }
  })
  .default({});
