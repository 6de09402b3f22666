import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EpisodicProcess, startProcess } from './__fixtures__/episodic-process.js';
import { nativeModuleFindings } from './__fixtures__/native-modules.js';
import {
  npmInstall,
  type PackedWorkspace,
  packWorkspace,
  writeNpmProject,
} from './__fixtures__/pack-workspace.js';
import { repositoryRoot } from './__fixtures__/workspace.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'episodic-installed-'));
const app = join(work, 'app');
const pluginOnly = join(work, 'plugin-only');
const tsc = join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const exampleMiner = '@episodic/example-plugin-miner';

let packed: PackedWorkspace;
let server: EpisodicProcess | undefined;
let pluginInstall: Promise<void>;

beforeAll(async () => {
  packed = await packWorkspace(work);
  writeNpmProject(app, packed, ['@episodic/server', '@episodic/sdk', exampleMiner], {
    '@types/node': '^20.19.0',
  });
  writeNpmProject(pluginOnly, packed, ['@episodic/plugin', exampleMiner]);
  // Two installs at once: npm spends most of its time waiting on the disk and the registry.
  pluginInstall = npmInstall(pluginOnly);
  await npmInstall(app);
});

afterAll(async () => {
  await server?.stop();
  await pluginInstall.catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

async function tarball(name: string) {
  const file = packed.tarballs.get(name) as string;
  const { stdout: listing } = await run('tar', ['-tzf', file]);
  const { stdout: manifest } = await run('tar', ['-xOzf', file, 'package/package.json']);
  return { files: listing.split('\n').filter(Boolean), manifest: JSON.parse(manifest), text: manifest };
}

/**
 * What a user writes against the installed packages, type-checked with their declarations and
 * run: agents that hit a rate limit, back off and retry, then the example miner's patterns read
 * back through the SDK and parsed with the miner's own schema into its own data type.
 */
const program = `
import { createRemoteMemory } from '@episodic/sdk';
import { type RetryBackoffData, retryBackoffDataSchema } from '${exampleMiner}';

const [url, token] = process.argv.slice(2) as [string, string];
const memory = createRemoteMemory({ url, token });
for (let i = 0; i < 3; i += 1) {
  const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'pricing', context: 'refresh prices ' + i });
  await memory.episodes.logSteps(episode.id, [
    { action: 'curl https://api.example.com/prices', result: '429 Too Many Requests', success: false },
    { action: 'sleep 2', success: true },
    { action: 'curl https://api.example.com/prices', result: '200 OK', success: true },
  ]);
  await memory.episodes.complete(episode.id, { status: 'completed' });
}
await memory.learning.flush({ timeoutMs: 120_000 });
const page = await memory.patterns.list({ type: 'retry_backoff' });
const found: RetryBackoffData[] = page.items.map((pattern) => retryBackoffDataSchema.parse(pattern.patternData));
const support: (number | null)[] = page.items.map((pattern) => pattern.support);
// @ts-expect-error the installed SDK types know every procedure's input
await memory.patterns.list({ type: 42 }).catch(() => undefined);
console.log(JSON.stringify({ types: page.items.map((pattern) => pattern.patternType), found, support }));
`;

describe('the packed packages, installed with npm outside the workspace', () => {
  it('packs every published package with its exports, types and README, and no workspace: or catalog: left', async () => {
    // Every published package has a changeset, so `changeset version` moved each one off 0.0.0.
    for (const [name, version] of packed.versions) expect(version, name).not.toBe('0.0.0');
    for (const name of packed.tarballs.keys()) {
      const { files, manifest, text } = await tarball(name);
      expect(text, name).not.toMatch(/"(workspace|catalog):/);
      expect(files, name).toContain('package/README.md');
      const targets = Object.values(manifest.exports as Record<string, Record<string, string>>).flatMap(
        Object.values,
      );
      for (const target of [...targets, manifest.types])
        expect(files, `${name} ${target}`).toContain(`package/${target.slice(2)}`);
      if (manifest.bin !== undefined)
        for (const bin of Object.values(manifest.bin as Record<string, string>))
          expect(files).toContain(`package/${bin.slice(2)}`);
    }
  });

  it("ships the server's dashboard files (ui/), which it reads from disk at run time", async () => {
    const { files } = await tarball('@episodic/server');
    const folder = join(repositoryRoot, 'apps', 'server', 'ui');
    const uiFiles = readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(folder, join(entry.parentPath, entry.name)));
    expect(uiFiles).toContain('index.html');
    for (const name of uiFiles) expect(files).toContain(`package/ui/${name}`);
  });

  it('npx episodic --help prints the commands and the config file', async () => {
    const { stdout } = await run('npx', ['episodic', '--help'], { cwd: app });
    expect(stdout).toMatch(/^Usage: episodic <command> \[options\]/);
    for (const command of ['serve', 'worker', 'tokens create', 'backup FILE', 'reindex'])
      expect(stdout).toContain(`\n  ${command}`);
    expect(stdout).toContain('episodic.config.{ts,mts,mjs,js}');
  });

  it('serves with episodic.config.mjs adding the example miner; the SDK records and reads its patterns, typed', async () => {
    writeFileSync(
      join(app, 'episodic.config.mjs'),
      `import { defineConfig } from '@episodic/server';
import { createRetryBackoffMiner } from '${exampleMiner}';

export default defineConfig({
  port: 0,
  miners: ['tool_sequence', 'error_resolution', createRetryBackoffMiner({ minWaitMs: 500 })],
  retentionIntervalMs: 0,
});
`,
    );
    server = startProcess('npx', ['episodic', 'serve'], app);
    const [, url] = await server.waitFor(/listening on (http:\/\/\S+)/, 120_000);
    const token = readFileSync(join(app, 'data', 'admin-token'), 'utf8').trim();
    const dashboard = await fetch(`${url}/ui/`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${url}/ui/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);

    writeFileSync(join(app, 'main.ts'), program);
    // Strict, as a careful user compiles, with the declarations npm installed (libraries' included).
    const flags = ['--strict', '--noUncheckedIndexedAccess', '--module', 'nodenext', '--target', 'es2022'];
    const compile = [tsc, ...flags, '--types', 'node', '--outDir', 'out', 'main.ts'];
    const checked = await run(process.execPath, compile, { cwd: app }).catch(
      (error: { stdout: string }) => error,
    );
    expect((checked as { stdout: string }).stdout).toBe('');
    const { stdout } = await run(process.execPath, [join(app, 'out', 'main.js'), url as string, token], {
      cwd: app,
    });
    expect(JSON.parse(stdout)).toEqual({
      types: ['retry_backoff'],
      found: [{ tool: 'curl', error: 'rate_limited' }],
      support: [3],
    });
    await server.stop();
    expect(server.output()).toMatch(/Stopped cleanly\./);
  });

  it('installs @episodic/plugin and the example miner without any native module or install script', async () => {
    await pluginInstall;
    expect(nativeModuleFindings(join(pluginOnly, 'node_modules'))).toEqual([]);
    // The same reading finds the server's native engine (libSQL, LMDB): it does look.
    expect(nativeModuleFindings(join(app, 'node_modules')).join('\n')).toMatch(/lmdb.*binding\.gyp/);
  });
});
