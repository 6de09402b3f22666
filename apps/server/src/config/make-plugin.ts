import { dirname } from 'node:path';
import { readConfigFile } from './config-file.js';
import { importPluginPackage, settingAt } from './load-plugins.js';
import type { PluginRecipe } from './plugin-recipes.js';

/**
 * Makes the plugin of `recipe` in this thread, as the config loaded it in the thread that wrote
 * the recipe: the package imported (its factory called with the options), or the config file
 * read again and its value at the same place taken.
 */
export async function makePlugin(recipe: PluginRecipe): Promise<unknown> {
  if (recipe.from === 'package') {
    const { package: name, options } = recipe;
    return importPluginPackage(recipe.kind, { package: name, options }, recipe.folder);
  }
  return settingAt(await readConfigFile(recipe.file, dirname(recipe.file)), recipe.path);
}
