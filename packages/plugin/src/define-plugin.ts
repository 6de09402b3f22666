import type { StandardSchemaV1 } from '@standard-schema/spec';
import { parseOptions } from './standard-schema.js';

/** How to build one plugin: its name for errors, its options' schema, and the builder. */
export interface PluginDefinition<Schema extends StandardSchemaV1, Plugin> {
  /** Names the plugin in every error about it: `retry-backoff miner`, `cohere embeddings`. */
  name: string;
  /**
   * Validates the factory's options. Any synchronous Standard Schema (zod 4, valibot, arktype);
   * its output, defaults filled in, is what `create` receives. Omitted options are validated as `{}`.
   */
  options: Schema;
  /** Builds the plugin from the validated options. */
  create(options: StandardSchemaV1.InferOutput<Schema>): Plugin;
}

/** A plugin factory: options in (validated), a plugin that honours its contract out. */
export type PluginFactory<Schema extends StandardSchemaV1, Plugin> = (
  options?: StandardSchemaV1.InferInput<Schema>,
) => Plugin;

/** The factory both `define…` helpers build: validate, create, check the contract. */
export function definePlugin<Schema extends StandardSchemaV1, Plugin>(
  definition: PluginDefinition<Schema, Plugin>,
  check: (value: unknown, plugin: string) => unknown,
): PluginFactory<Schema, Plugin> {
  return (options) => {
    const parsed = parseOptions(definition.options, options ?? {}, definition.name);
    const plugin = definition.create(parsed);
    check(plugin, definition.name);
    return plugin;
  };
}
