import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pluginRoot = fileURLToPath(new URL('..', import.meta.url));
const project = mkdtempSync(join(tmpdir(), 'episodic-plugin-install-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

interface InstalledPackage {
  name: string;
  dir: string;
  manifest: { scripts?: Record<string, string>; gypfile?: boolean };
}

/** Every package under `node_modules`, scoped ones included. */
function installedPackages(modules: string): InstalledPackage[] {
  const found: InstalledPackage[] = [];
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@')
      ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`)
      : [entry];
    for (const name of names) {
      const dir = join(modules, name);
      found.push({ name, dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) });
      const nested = join(dir, 'node_modules');
      if (statSync(nested, { throwIfNoEntry: false })?.isDirectory())
        found.push(...installedPackages(nested));
    }
  }
  return found;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const node = (script: string) =>
  run(process.execPath, ['--input-type=module', '-e', script], { cwd: project }).then(
    ({ stdout }) => ({ ok: true, output: stdout }),
    (error: { stderr: string }) => ({ ok: false, output: error.stderr }),
  );

describe('the packed plugin package', () => {
  it('installs with npm outside the workspace: no native module, no install script, small; its main entry loads neither fast-check nor vitest', async () => {
    const packs = join(project, 'packs');
    mkdirSync(packs);
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: pluginRoot });
    const tarball = join(packs, readdirSync(packs).find((name) => name.endsWith('.tgz')) as string);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'plugin-author',
        private: true,
        type: 'module',
        dependencies: { '@episodic/plugin': `file:${tarball}` },
      }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
      cwd: project,
    });

    const modules = join(project, 'node_modules');
    const installed = installedPackages(modules);
    const names = installed.map((entry) => entry.name);
    expect(names).toEqual(
      expect.arrayContaining(['@episodic/plugin', '@standard-schema/spec', 'fast-check']),
    );
    // vitest is an optional peer (only /testing needs it); nothing of the engine comes along.
    for (const absent of ['vitest', 'zod', '@episodic/core', 'libsql', '@libsql/client', 'lmdb']) {
      expect(names).not.toContain(absent);
    }
    for (const entry of installed) {
      const scripts = Object.keys(entry.manifest.scripts ?? {}).filter((name) =>
        /^(pre|post)?install$/.test(name),
      );
      expect({ name: entry.name, scripts, gypfile: entry.manifest.gypfile === true }).toEqual({
        name: entry.name,
        scripts: [],
        gypfile: false,
      });
      const native = files(entry.dir).filter(
        (file) => file.endsWith('.node') || file.endsWith('binding.gyp'),
      );
      expect({ name: entry.name, native }).toEqual({ name: entry.name, native: [] });
    }
    // The whole install, dependencies included (1.8 MB of files when measured, 1.5 MB of it fast-check; see the README).
    const bytes = files(modules).reduce((total, file) => total + statSync(file).size, 0);
    expect(bytes).toBeLessThan(3 * 1024 * 1024);

    // With fast-check removed as well, the main entry still loads and works: it never imports
    // either; the testing entry does, which is why it fails here.
    rmSync(join(modules, 'fast-check'), { recursive: true });
    const main = await node(`
      import { defineMiner, toolName } from '@episodic/plugin';
      const schema = { '~standard': { version: 1, vendor: 'none', validate: (value) => ({ value }) } };
      const create = defineMiner({ name: 'm', options: schema, create: () => ({
        specificationVersion: 'v1', patternType: 'first_tool', dataSchema: schema, mine: () => [] }) });
      console.log(create().patternType, toolName('cd repo && pytest -x'));
    `);
    expect(main).toEqual({ ok: true, output: 'first_tool pytest\n' });
    const testing = await node(`import '@episodic/plugin/testing';`);
    expect(testing.ok).toBe(false);
    expect(testing.output).toMatch(/Cannot find (package|module) '(fast-check|vitest)'/);
  }, 420_000); // npm install took over 3 min on 2 cores shared with a second suite and other work
});
