import type { z } from 'zod';
import { EpisodicError } from '../errors.js';
import { parseInput } from '../validate.js';

/**
 * Parses a plugin factory's options with its exported zod schema. A bad option is a `CONFIG`
 * error naming the plugin and every failing field path, the same error `openMemory` gives for
 * its own settings.
 */
export function parsePluginOptions<S extends z.ZodType>(
  schema: S,
  options: unknown,
  plugin: string,
): z.output<S> {
  try {
    return parseInput(schema, options ?? {}, `${plugin} options`);
  } catch (error) {
    if (!EpisodicError.isInstance(error)) throw error;
    throw new EpisodicError('CONFIG', error.message, { issues: error.issues, cause: error.cause });
  }
}
