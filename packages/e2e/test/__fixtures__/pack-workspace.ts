import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot, type WorkspacePackage, workspacePackages } from './workspace.js';

const run = promisify(execFile);

export interface PackedWorkspace {
  /** Tarball path per published package name. */
  tarballs: Map<string, string>;
  /** The versions `changeset version` gave them. */
  versions: Map<string, string>;
}

/**
 * A throwaway copy of the workspace as a release would see it: manifests of every package, and the
 * `files` (built `dist`, README…) and changelog of the published ones, plus the pending changesets. The
 * repository itself is never touched: the version bump happens in the copy only.
 */
function copyWorkspace(copy: string, packages: WorkspacePackage[]): void {
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset'])
    cpSync(join(repositoryRoot, file), join(copy, file), { recursive: true });
  // The changelog generator `.changeset/config.json` names is resolved from here.
  symlinkSync(join(repositoryRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const folderOf = new Map(packages.map((pkg) => [pkg.name, join(copy, relative(repositoryRoot, pkg.path))]));
  for (const pkg of packages) {
    const folder = folderOf.get(pkg.name) as string;
    mkdirSync(folder, { recursive: true });
    cpSync(join(pkg.path, 'package.json'), join(folder, 'package.json'));
    if (pkg.manifest.private !== true) {
      // What the manifest publishes (`files`: dist, README, the server's ui/…), as `pnpm pack` reads it.
      const files = (pkg.manifest.files ?? []) as string[];
      for (const file of [...files, 'CHANGELOG.md'])
        if (existsSync(join(pkg.path, file)))
          cpSync(join(pkg.path, file), join(folder, file), { recursive: true });
    }
    // `pnpm pack` reads the version of each `workspace:` dependency from the linked package.
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
      for (const [name, spec] of Object.entries((pkg.manifest[field] ?? {}) as Record<string, string>)) {
        const target = folderOf.get(name);
        if (!spec.startsWith('workspace:') || target === undefined) continue;
        const link = join(folder, 'node_modules', name);
        mkdirSync(dirname(link), { recursive: true });
        symlinkSync(target, link, 'dir');
      }
    }
  }
}

/** `pnpm changeset version` then `pnpm pack` of every published package, in a copy under `work`. */
export async function packWorkspace(work: string): Promise<PackedWorkspace> {
  const packages = workspacePackages();
  const copy = join(work, 'workspace');
  const packs = join(work, 'packs');
  mkdirSync(packs, { recursive: true });
  copyWorkspace(copy, packages);
  await run(
    process.execPath,
    [join(repositoryRoot, 'node_modules', '@changesets', 'cli', 'bin.js'), 'version'],
    {
      cwd: copy,
    },
  );
  const published = packages.filter((pkg) => pkg.manifest.private !== true);
  const filters = published.flatMap((pkg) => ['--filter', pkg.name]);
  await run('pnpm', ['-r', ...filters, 'pack', '--pack-destination', packs], { cwd: copy });
  const tarballs = new Map<string, string>();
  const versions = new Map<string, string>();
  for (const pkg of published) {
    const manifestPath = join(copy, relative(repositoryRoot, pkg.path), 'package.json');
    const { version } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string };
    versions.set(pkg.name, version);
    tarballs.set(pkg.name, join(packs, `${pkg.name.replace('@', '').replace('/', '-')}-${version}.tgz`));
  }
  return { tarballs, versions };
}

/** An npm project in `folder` depending on `dependencies`, every `@episodic` package coming from its tarball. */
export function writeNpmProject(
  folder: string,
  packed: PackedWorkspace,
  dependencies: readonly string[],
  extra: Record<string, string> = {},
): void {
  mkdirSync(folder, { recursive: true });
  const file = (name: string) => `file:${packed.tarballs.get(name)}`;
  writeFileSync(
    join(folder, 'package.json'),
    JSON.stringify({
      name: 'episodic-user',
      private: true,
      type: 'module',
      dependencies: { ...Object.fromEntries(dependencies.map((name) => [name, file(name)])), ...extra },
      // Not on the registry (yet, or not this version): transitive @episodic dependencies come from the tarballs too.
      overrides: Object.fromEntries([...packed.tarballs.keys()].map((name) => [name, file(name)])),
    }),
  );
}

/** `npm install` as a user runs it (install scripts included), quiet, preferring npm's cache. */
export async function npmInstall(folder: string): Promise<void> {
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: folder,
    maxBuffer: 16 * 1024 * 1024,
  });
}
