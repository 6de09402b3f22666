import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ServerError } from '../errors/server-error.js';
import { resolvePackage } from './resolve-package.js';
import { syntaxErrorPlace } from './syntax-error-place.js';

/** The names `episodic` looks for in the current directory when no `--config` is given. */
export const configFileNames = [
  'episodic.config.ts',
  'episodic.config.mts',
  'episodic.config.mjs',
  'episodic.config.js',
] as const;

/**
 * Files in `cwd` named like a config file but not one of `configFileNames` (`episodic.conifg.mjs`,
 * `episodic.config.json`): never read, which is worth saying when no config file is.
 */
export function nearConfigFiles(cwd: string): string[] {
  let names: string[];
  try {
    names = readdirSync(cwd);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^episodic[._-].*\.(json|[cm]?[jt]s)$/i.test(name))
    .filter((name) => !(configFileNames as readonly string[]).includes(name))
    .sort();
}

/** The config file in `cwd`, if there is exactly one; two are refused rather than one picked silently. */
export function findConfigFile(cwd: string): string | undefined {
  const found = configFileNames.map((name) => resolve(cwd, name)).filter((path) => existsSync(path));
  if (found.length > 1)
    throw new ServerError('CONFIG', `Found ${found.join(' and ')}: keep one, or choose with --config FILE.`);
  return found[0];
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ServerError('CONFIG', `Cannot read config file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ServerError('CONFIG', `Config file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Imports a TypeScript config. Node 22.18+ strips types itself; on Node 20 the user's own `tsx`
 * (resolved from the config's folder) compiles it, so the server does not ship a compiler.
 */
async function importTypeScript(path: string, folder: string): Promise<Record<string, unknown>> {
  if ((process.features as { typescript?: unknown }).typescript) return import(pathToFileURL(path).href);
  const tsx = resolvePackage('tsx/esm/api', folder);
  if (tsx === null) {
    throw new ServerError(
      'CONFIG',
      `Loading ${path} on Node ${process.versions.node} needs tsx installed in its folder (npm install --save-dev tsx), ` +
        'or Node 22.18 or later; or write the config as episodic.config.mjs.',
    );
  }
  const api = (await import(tsx)) as {
    tsImport(specifier: string, parent: string): Promise<Record<string, unknown>>;
  };
  const module = await api.tsImport(pathToFileURL(path).href, pathToFileURL(path).href);
  // Outside a `"type": "module"` package tsx compiles to CommonJS: the ESM default sits one level down.
  const inner = module.default as { __esModule?: boolean; default?: unknown } | undefined;
  return inner?.__esModule === true ? (inner as Record<string, unknown>) : module;
}

async function importModule(path: string, folder: string): Promise<unknown> {
  if (!existsSync(path))
    throw new ServerError('CONFIG', `Cannot read config file ${path}: it does not exist.`);
  let module: Record<string, unknown>;
  try {
    module = /\.[cm]?ts$/.test(path)
      ? await importTypeScript(path, folder)
      : await import(pathToFileURL(path).href);
  } catch (error) {
    if (ServerError.isInstance(error)) throw error;
    const place = error instanceof SyntaxError && /\.[cm]?js$/.test(path) ? syntaxErrorPlace(path) : '';
    throw new ServerError(
      'CONFIG',
      `Cannot load config file ${path}: ${(error as Error)?.message ?? String(error)}${place}`,
      { cause: error },
    );
  }
  if (!('default' in module))
    throw new ServerError(
      'CONFIG',
      `Config file ${path} has no default export: end it with \`export default defineConfig({ … })\`.`,
    );
  return module.default;
}

/** The settings object a config file holds: JSON, or the default export of a JS/TS module. */
export async function readConfigFile(path: string, folder: string): Promise<Record<string, unknown>> {
  const value = extname(path) === '.json' ? readJson(path) : await importModule(path, folder);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ServerError('CONFIG', `Config file ${path} must hold an object of settings.`);
  }
  return { ...(value as Record<string, unknown>) };
}
