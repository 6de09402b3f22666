import { fileURLToPath } from 'node:url';
import { withinDeadline } from '@episodic/core';
import { ServerError } from '../errors/server-error.js';
import { minerNames } from '../store/default-miners.js';
import { closestName } from './closest-name.js';
import { embeddingProviderProblems, patternMinerProblems } from './plugin-contract.js';
import { type PluginKind, rememberRecipe } from './plugin-recipes.js';
import { resolvePackage } from './resolve-package.js';
import { syntaxErrorPlace } from './syntax-error-place.js';

/** A plugin named by its package, with the options its factory takes. */
export interface PluginReference {
  /** The npm package, resolved from the config file's folder (from the current one for flags). */
  package: string;
  /** Passed to the package's default export when that is a factory. */
  options?: unknown;
}

/** The built-in embedding settings: not packages. */
export const builtinEmbeddings = ['local', 'openai', 'static', 'none'] as const;

/** Where a setting came from: the folder packages are resolved from, and how errors say where. */
export interface SettingSource {
  folder: string;
  /** ` (from --miners)`, ` (from ./episodic.config.mjs)`, … */
  origin: string;
  /** The config file's path, when the setting is the file's. */
  file?: string;
}

interface Slot {
  /** `embeddings`, `miners.2`. */
  path: string;
  value: unknown;
  kind: PluginKind;
}

function isReference(value: unknown): value is PluginReference {
  return (
    typeof value === 'object' && value !== null && 'package' in value && !('specificationVersion' in value)
  );
}

function label(slot: Slot): string {
  const { value } = slot;
  if (typeof value === 'string') return `package ${value}`;
  if (isReference(value)) return `package ${String(value.package)}`;
  const plugin = value as { patternType?: unknown; provider?: unknown; model?: unknown } | null;
  if (slot.kind === 'miner' && typeof plugin?.patternType === 'string') return `miner ${plugin.patternType}`;
  if (typeof plugin?.provider === 'string') return `provider ${plugin.provider}/${String(plugin.model)}`;
  return slot.kind === 'miner' ? 'miner' : 'embedding provider';
}

/**
 * What a plugin package offers: its default export, or else its one `create…` function (the
 * factory naming convention), so a package written for embedding needs no extra export.
 */
function pluginExport(module: Record<string, unknown>): unknown {
  if (module.default !== undefined) return module.default;
  const factories = Object.keys(module).filter(
    (name) => /^create[A-Z]/.test(name) && typeof module[name] === 'function',
  );
  if (factories.length === 1) return module[factories[0] as string];
  throw new Error(
    factories.length === 0
      ? 'exports neither a default plugin or factory nor a create… factory'
      : `exports several factories (${factories.join(', ')}) and no default: import the one you want in the config`,
  );
}

/**
 * Imports a plugin package: its default export is the plugin, or a factory called with `options`.
 * `named` says the setting was a bare name, which might have been meant as a built-in one.
 */
export async function importPluginPackage(
  kind: PluginKind,
  reference: PluginReference,
  folder: string,
  named = false,
): Promise<unknown> {
  const extra = Object.keys(reference).filter((key) => key !== 'package' && key !== 'options');
  if (typeof reference.package !== 'string' || reference.package === '')
    throw new Error('package: must be a package name');
  if (extra.length > 0) throw new Error(`unknown key${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`);
  const url = resolvePackage(reference.package, folder);
  if (url === null) {
    const builtins: readonly string[] = kind === 'miner' ? minerNames : builtinEmbeddings;
    const meant = named ? closestName(reference.package.toLowerCase(), builtins) : undefined;
    // A misspelt built-in name is not a package to install: `npm install tool_sequnce` could
    // fetch whatever someone published under it.
    if (meant !== undefined)
      throw new Error(
        `${reference.package} is not a built-in name: did you mean ${meant}? (built-in: ${builtins.join(', ')})`,
      );
    throw new Error(
      `no package ${reference.package} is installed in ${folder} or above (npm install ${reference.package})` +
        (named ? `, and it is not a built-in name (${builtins.join(', ')})` : ''),
    );
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const entry = fileURLToPath(url);
    const place = syntaxErrorPlace(entry);
    throw new Error(
      place === ''
        ? `${error.message}, in a module ${entry} imports`
        : `${error.message} in ${entry}${place}`,
    );
  }
  const exported = pluginExport(module);
  if (typeof exported === 'function') return await exported(reference.options);
  if (reference.options !== undefined)
    throw new Error('options: this package exports a plugin, not a factory that takes options');
  return exported;
}

/** The slots of `embeddings` and `miners` that hold plugins rather than built-in names. */
export function pluginSlots(layer: Record<string, unknown>): Slot[] {
  const slots: Slot[] = [];
  const { embeddings, miners } = layer;
  if (embeddings !== undefined && !(builtinEmbeddings as readonly unknown[]).includes(embeddings))
    slots.push({ path: 'embeddings', value: embeddings, kind: 'embeddings' });
  if (Array.isArray(miners)) {
    miners.forEach((value, index) => {
      if (!(minerNames as readonly unknown[]).includes(value))
        slots.push({ path: `miners.${index}`, value, kind: 'miner' });
    });
  }
  return slots;
}

/** The value at `path` (`embeddings`, `miners.2`) of a settings object. */
export function settingAt(settings: Record<string, unknown>, path: string): unknown {
  const [key, index] = path.split('.');
  const value = settings[key as string];
  return index === undefined ? value : (value as unknown[] | undefined)?.[Number(index)];
}

/** Puts `plugin` at `path` (`embeddings`, `miners.2`) of the settings `layer`. */
export function placePlugin(layer: Record<string, unknown>, path: string, plugin: unknown): void {
  if (path === 'embeddings') layer.embeddings = plugin;
  else (layer.miners as unknown[])[Number(path.split('.')[1])] = plugin;
}

/**
 * Replaces the package names and `{ package, options }` references in `embeddings` and `miners`
 * with the plugins they export, then checks every plugin against its contract. Every problem is
 * reported at once, each with its field path, the plugin's name and where the setting came from.
 */
/**
 * Longest a plugin's import and factory may take at start. One waiting on a service that never
 * answers left `serve` hanging without a word (or, with nothing else pending, exiting with a
 * message that named no plugin).
 */
export const pluginLoadTimeoutMs = 60_000;

export async function loadPlugins(
  layer: Record<string, unknown>,
  sourceOf: (key: 'embeddings' | 'miners') => SettingSource,
  mineTimeoutMs: number,
  loadTimeoutMs = pluginLoadTimeoutMs,
): Promise<void> {
  const problems: string[] = [];
  for (const slot of pluginSlots(layer)) {
    const source = sourceOf(slot.kind === 'miner' ? 'miners' : 'embeddings');
    const at = `${slot.path} (${label(slot)})${source.origin}`;
    let plugin = slot.value;
    if (typeof plugin === 'string' || isReference(plugin)) {
      const reference = typeof plugin === 'string' ? { package: plugin } : plugin;
      try {
        plugin = await withinDeadline(
          () => importPluginPackage(slot.kind, reference, source.folder, typeof slot.value === 'string'),
          {
            timeoutMs: loadTimeoutMs,
            what: 'its import and factory',
            setting: 'the start check: does it wait for a service that does not answer?',
          },
        );
      } catch (error) {
        problems.push(`${at}: ${(error as Error)?.message ?? String(error)}`);
        continue;
      }
      rememberRecipe(plugin, { from: 'package', kind: slot.kind, ...reference, folder: source.folder });
    } else if (source.file !== undefined) {
      rememberRecipe(plugin, { from: 'config', kind: slot.kind, file: source.file, path: slot.path });
    }
    const found =
      slot.kind === 'miner'
        ? await patternMinerProblems(plugin, mineTimeoutMs, at)
        : embeddingProviderProblems(plugin);
    problems.push(...found.map((problem) => `${at}: ${problem}`));
    placePlugin(layer, slot.path, plugin);
  }
  if (problems.length > 0)
    throw new ServerError('CONFIG', `Invalid plugins (checked at start): ${problems.join('; ')}`);
}
