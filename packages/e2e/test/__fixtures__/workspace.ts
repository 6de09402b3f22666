import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repositoryRoot = fileURLToPath(new URL('../../../..', import.meta.url));

export interface WorkspacePackage {
  name: string;
  /** Absolute folder. */
  path: string;
  manifest: Record<string, unknown> & { name: string; private?: boolean; version: string };
}

/** Every package of the pnpm workspace, as pnpm itself lists them. */
export function workspacePackages(): WorkspacePackage[] {
  const listed = JSON.parse(
    execFileSync('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: repositoryRoot, encoding: 'utf8' }),
  ) as { name: string; path: string }[];
  return listed
    .filter((entry) => entry.path !== repositoryRoot.replace(/\/$/, ''))
    .map((entry) => ({
      name: entry.name,
      path: entry.path,
      manifest: JSON.parse(readFileSync(join(entry.path, 'package.json'), 'utf8')),
    }));
}

/** The packages npm users install: every workspace package not marked private. */
export function publishedPackages(): WorkspacePackage[] {
  return workspacePackages().filter((pkg) => pkg.manifest.private !== true);
}
