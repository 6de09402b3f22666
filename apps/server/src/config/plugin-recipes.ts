/** Which slot a plugin fills. */
export type PluginKind = 'embeddings' | 'miner';

/**
 * How another thread makes a plugin the config loaded here again: a worker thread receives its
 * settings as a structured clone, which cannot carry a plugin's functions, so `serve`'s learning
 * thread builds its own from where this one came from. `package`: imported by name (options
 * cloned); `config`: made by the config file itself (an imported factory called there), read
 * again from that file at the same place.
 */
export type PluginRecipe =
  | { from: 'package'; kind: PluginKind; package: string; options?: unknown; folder: string }
  | { from: 'config'; kind: PluginKind; file: string; path: string };

/** A plugin of the settings (`embeddings`, `miners.2`) and how to make it again. */
export interface PluginPlacement {
  path: string;
  recipe: PluginRecipe;
}

// Keyed by the plugin object: it is kept as it is through the settings' parsing and copying.
const recipes = new WeakMap<object, PluginRecipe>();

/** Notes how `plugin`, as loaded from the config, can be made again elsewhere. */
export function rememberRecipe(plugin: unknown, recipe: PluginRecipe): void {
  if (typeof plugin === 'object' && plugin !== null) recipes.set(plugin, recipe);
}

/** How `plugin` can be made again, if it came from a config file or a package this process loaded. */
export function recipeOf(plugin: unknown): PluginRecipe | undefined {
  return typeof plugin === 'object' && plugin !== null ? recipes.get(plugin) : undefined;
}
