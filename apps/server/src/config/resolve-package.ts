import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ServerError } from '../errors/server-error.js';

/** Conditions an ESM `import()` from Node matches, in the order Node tries them. */
const conditions = ['node', 'import', 'default'];

type ExportsTarget = string | null | ExportsTarget[] | { [condition: string]: ExportsTarget };

function pickTarget(target: ExportsTarget | undefined): string | null {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const picked = pickTarget(item);
      if (picked !== null) return picked;
    }
    return null;
  }
  if (target === null || target === undefined) return null;
  // Object key order is the package's order of preference, as in Node's own resolver.
  for (const [condition, value] of Object.entries(target)) {
    if (conditions.includes(condition)) {
      const picked = pickTarget(value);
      if (picked !== null) return picked;
    }
  }
  return null;
}

function mainEntry(manifest: { exports?: ExportsTarget; main?: string }): string | null {
  const { exports } = manifest;
  if (exports === undefined) return manifest.main ?? 'index.js';
  const isSubpathMap =
    typeof exports === 'object' &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((key) => key.startsWith('.'));
  return pickTarget(isSubpathMap ? (exports as Record<string, ExportsTarget>)['.'] : exports);
}

/** `node_modules` in `dir` and every folder above it: where `import` looks (never `NODE_PATH`). */
function nodeModulesFolders(dir: string): string[] {
  const folders: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (basename(current) !== 'node_modules') folders.push(join(current, 'node_modules'));
    if (dirname(current) === current) return folders;
  }
}

function readManifest(path: string): { exports?: ExportsTarget; main?: string } {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { exports?: ExportsTarget; main?: string };
  } catch (error) {
    // Named, or the error reads as if the config file itself were broken.
    throw new ServerError('CONFIG', `${path} cannot be read as JSON: ${(error as Error).message}`);
  }
}

/**
 * The file URL `import(name)` would load from a module in `fromDir`, or `null` when no such package is installed. Node 20's `import.meta.resolve`
 * cannot take another folder as the parent without a flag, and `require.resolve` misses packages
 * that export for `import` only, so this finds the package folder the way Node walks
 * `node_modules` and reads its `exports` for the `node`/`import`/`default` conditions.
 */
export function resolvePackage(name: string, fromDir: string): string | null {
  const [scopeOrName, scopedName, ...subpath] = name.split('/');
  const packageName = scopeOrName?.startsWith('@') ? `${scopeOrName}/${scopedName}` : (scopeOrName ?? '');
  const rest = (scopeOrName?.startsWith('@') ? subpath : [scopedName, ...subpath]).filter(Boolean);
  for (const folder of nodeModulesFolders(fromDir)) {
    const root = join(folder, packageName);
    const manifestPath = join(root, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = readManifest(manifestPath);
    const subpathKey = rest.length === 0 ? '.' : `./${rest.join('/')}`;
    const entry =
      subpathKey === '.'
        ? mainEntry(manifest)
        : typeof manifest.exports === 'object' &&
            manifest.exports !== null &&
            !Array.isArray(manifest.exports)
          ? pickTarget((manifest.exports as Record<string, ExportsTarget>)[subpathKey])
          : subpathKey;
    if (entry === null) {
      throw new ServerError('CONFIG', `Package ${name} (in ${root}) exports nothing for import().`);
    }
    return pathToFileURL(join(root, entry)).href;
  }
  return null;
}
