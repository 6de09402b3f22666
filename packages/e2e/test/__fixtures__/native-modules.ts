import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Install-time hooks npm runs: a package with one of these may compile or download native code. */
const installScripts = ['preinstall', 'install', 'postinstall'];

/**
 * Every sign of native code in an installed `node_modules` tree: a `binding.gyp` or `gypfile`, an
 * install script, a compiled `.node` addon. Each finding names the package folder and what was found.
 */
export function nativeModuleFindings(nodeModules: string): string[] {
  const findings: string[] = [];
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name === 'binding.gyp' || entry.name.endsWith('.node')) findings.push(path);
      else if (entry.name === 'package.json') {
        const manifest = JSON.parse(readFileSync(path, 'utf8')) as {
          name?: string;
          gypfile?: boolean;
          scripts?: Record<string, string>;
        };
        if (manifest.gypfile === true) findings.push(`${path}: gypfile`);
        for (const script of installScripts)
          if (manifest.scripts?.[script] !== undefined) findings.push(`${path}: ${script} script`);
      }
    }
  };
  visit(nodeModules);
  return findings;
}
