import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

function files(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Code without its comments: doc comments may name anything, imports may not. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** Every module a file asks for: static and dynamic imports, re-exports, `import("…")` types, require. */
function specifiers(text: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1] as string));
}

describe('the built SDK', () => {
  const built = files(dist).filter((path) => /\.(js|d\.ts)$/.test(path));

  it('is built, with its declarations rolled into one file', () => {
    expect(built.map((path) => path.slice(dist.length + 1)).sort()).toEqual([
      'abort-link.js',
      'aborted.js',
      'batch-link.js',
      'client-options.js',
      'client.js',
      'episode-handle.js',
      'episode-id.js',
      'errors.js',
      'http-answer.js',
      'index.d.ts',
      'index.js',
      'input-shape.js',
      'local-refusal.js',
      'metadata-link.js',
      'remote-memory.js',
      'replay-link.js',
      'request-limit.js',
      'retry.js',
      'send-once.js',
      'start-id-link.js',
      'step-refusals.js',
      'types.js',
    ]);
  });

  it('pulls in no server, engine, libSQL or LMDB code, not even for types', () => {
    // `@trpc/server/observable` is what links return; `@trpc/client` itself imports it.
    const allowed = new Set(['@trpc/client', '@trpc/server', '@trpc/server/observable', 'eventsource']);
    for (const path of built) {
      const text = code(readFileSync(path, 'utf8'));
      for (const specifier of specifiers(text)) {
        if (specifier.startsWith('./')) continue;
        expect(allowed.has(specifier), `${path.slice(dist.length + 1)} imports ${specifier}`).toBe(true);
      }
      expect(text).not.toMatch(/@episodic\/(server|core)|@libsql|\blmdb\b|\bzod\b/);
    }
  });

  it('declares only the dependencies its code and types use', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      files: string[];
    };
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      '@trpc/client',
      '@trpc/server',
      'eventsource',
    ]);
    expect(manifest.files).toEqual(['dist', 'README.md']);
  });
});
