import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedPackages, repositoryRoot } from './__fixtures__/workspace.js';

const rootManifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8'));

/** The packages each pending changeset names in its front matter. */
function packagesWithChangesets(): Set<string> {
  const folder = join(repositoryRoot, '.changeset');
  const names = new Set<string>();
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.md') && name !== 'README.md')) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(folder, file), 'utf8'))?.[1] ?? '';
    for (const match of front.matchAll(/^['"]?(@[^'"\s]+)['"]?\s*:/gm)) names.add(match[1] as string);
  }
  return names;
}

type Target = string | { [condition: string]: Target };

describe('published package manifests', () => {
  const packages = publishedPackages();
  const changesets = packagesWithChangesets();

  it('lists the packages a user installs', () => {
    expect(packages.map((pkg) => pkg.name)).toEqual(
      expect.arrayContaining(['@episodic/server', '@episodic/sdk', '@episodic/core', '@episodic/plugin']),
    );
  });

  it.each(packages.map((pkg) => [pkg.name, pkg] as const))(
    '%s: ESM exports with types, files, engines, README and a changeset',
    (name, { path, manifest }) => {
      expect(manifest.type).toBe('module');
      expect(manifest.license).toBe('MIT');
      expect(typeof manifest.description).toBe('string');
      // Node as the root requires: what the code is built for and CI runs.
      expect(manifest.engines).toEqual({ node: rootManifest.engines.node });
      const exports = manifest.exports as Record<string, Target>;
      expect(Object.keys(exports)).toContain('.');
      for (const [subpath, target] of Object.entries(exports)) {
        // `types` first: TypeScript takes the first condition that matches.
        expect(Object.keys(target as object), subpath).toEqual(['types', 'import']);
        const { types, import: entry } = target as { types: string; import: string };
        expect(types, subpath).toMatch(/^\.\/dist\/.*\.d\.ts$/);
        expect(entry, subpath).toBe(types.replace(/\.d\.ts$/, '.js'));
      }
      expect(manifest.types).toBe((exports['.'] as { types: string }).types);
      expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md']));
      const readme = readFileSync(join(path, 'README.md'), 'utf8');
      expect(readme.startsWith(`# ${name}`), 'README opens with the package name').toBe(true);
      // A release note waits in .changeset/, or the package has been released with a changelog.
      expect(changesets.has(name) || existsSync(join(path, 'CHANGELOG.md')), 'changeset').toBe(true);
    },
  );
});
