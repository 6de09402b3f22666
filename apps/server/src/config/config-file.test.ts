import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { configFailure as failure } from './__fixtures__/config-failure.js';
import { loadConfig } from './load-config.js';

const serverModules = fileURLToPath(new URL('../../node_modules', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'episodic-config-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let projects = 0;

/** A user's folder: the given files, plus packages in its node_modules (zod and tsx linked from here). */
function project(files: Record<string, string>, links: string[] = ['zod']): string {
  const dir = join(root, `project-${(projects += 1)}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  for (const link of links) symlinkSync(join(serverModules, link), join(dir, 'node_modules', link), 'dir');
  return dir;
}

/** A miner package exporting its factory (by default as its default export); `body` is the miner object's source. */
function minerPackage(name: string, body: string, exportAs = 'export default'): Record<string, string> {
  return {
    [`node_modules/${name}/package.json`]: JSON.stringify({
      name,
      type: 'module',
      exports: { '.': { import: './index.js' } },
    }),
    [`node_modules/${name}/index.js`]: `import { z } from 'zod';\n${exportAs} (options = {}) => (${body});\n`,
  };
}

const retryMiner = `{
  specificationVersion: 'v1',
  patternType: options.patternType ?? 'retry_helped',
  dataSchema: z.strictObject({ action: z.string() }),
  mine: ({ episode, succeeded }) =>
    episode.steps.filter((step, i) => episode.steps.findIndex((first) => first.action === step.action) < i)
      .map((step) => ({ data: { action: step.action }, success: succeeded })),
}`;

describe('episodic.config files', () => {
  it('finds episodic.config.mjs in the current folder and loads plugin packages from its folder', async () => {
    const cwd = project({
      ...minerPackage('episodic-miner-retry', retryMiner),
      ...minerPackage(
        'named-factory-miner',
        retryMiner,
        'export const helper = 1; export const createRetryMiner =',
      ),
      'episodic.config.mjs': `export default {
        port: 0,
        dataDir: 'state',
        miners: [
          'tool_sequence',
          'episodic-miner-retry',
          { package: 'episodic-miner-retry', options: { patternType: 'retry_twice' } },
          { package: 'named-factory-miner', options: { patternType: 'retry_thrice' } },
        ],
        retrieval: { candidates: 50 },
        cache: false,
      };`,
    });
    const config = await loadConfig({ flags: {}, env: {}, cwd });
    expect(config.port).toBe(0);
    expect(config.dataDir).toBe(join(cwd, 'state'));
    expect(config.miners.map((miner) => (typeof miner === 'string' ? miner : miner.patternType))).toEqual([
      'tool_sequence',
      'retry_helped',
      'retry_twice',
      'retry_thrice',
    ]);
    expect(config.memory).toEqual({ retrieval: { candidates: 50 }, cache: false });
    // Flags and the environment still override the file for the built-ins.
    const overridden = await loadConfig({
      flags: { port: '9000' },
      env: { EPISODIC_MINERS: 'optimization' },
      cwd,
    });
    expect([overridden.port, overridden.miners]).toEqual([9000, ['optimization']]);
  });

  it('names the key, the plugin, the field path and the file for what it refuses', async () => {
    const cwd = project({
      ...minerPackage(
        'bad-type-miner',
        retryMiner.replace("options.patternType ?? 'retry_helped'", "'Retry Helped'"),
      ),
      ...minerPackage('bad-data-miner', retryMiner.replace('{ action: step.action }', '{ action: 42 }')),
      'episodic.config.mjs': `export default {
        miners: ['tool_sequence', 'bad-type-miner', 'bad-data-miner', 'not-installed', { package: 'bad-data-miner', option: 1 }],
      };`,
    });
    const message = (await failure(() => loadConfig({ flags: {}, env: {}, cwd }))).message;
    expect(message).toMatch(
      /miners\.1 \(package bad-type-miner\) \(from \.\/episodic\.config\.mjs\): patternType: .*snake_case/,
    );
    expect(message).toMatch(
      /miners\.2 \(package bad-data-miner\) \(from \.\/episodic\.config\.mjs\): mine\(\) candidate 0\.data\.action: .*expected string.* \(the miner's own dataSchema\)/,
    );
    expect(message).toMatch(
      /miners\.3 \(package not-installed\) .*: no package not-installed is installed in /,
    );
    expect(message).toMatch(/miners\.4 \(package bad-data-miner\) .*: unknown key option/);

    const typo = project({
      'episodic.config.mjs': 'export default { prot: 1, retrieval: { candidatez: 5 } };',
    });
    const typoMessage = (await failure(() => loadConfig({ flags: {}, env: {}, cwd: typo }))).message;
    expect(typoMessage).toBe(
      'Invalid server settings: retrieval.candidatez (from ./episodic.config.mjs): unknown setting; ' +
        'prot (from ./episodic.config.mjs): unknown setting',
    );
  });

  it('names a miner whose dataSchema or describe throws on its sample candidate, as a refusal, not a crash', async () => {
    const cwd = project({
      ...minerPackage(
        'throwing-schema-miner',
        retryMiner.replace(
          'z.strictObject({ action: z.string() })',
          "z.strictObject({ action: z.string() }).transform(() => { throw new Error('schema exploded'); })",
        ),
      ),
      ...minerPackage(
        'throwing-describe-miner',
        retryMiner.replace('mine:', "describe: (data) => data.actions.join(' then '),\n  mine:"),
      ),
      'episodic.config.mjs': `export default { miners: ['throwing-schema-miner', 'throwing-describe-miner'] };`,
    });
    const message = (await failure(() => loadConfig({ flags: {}, env: {}, cwd }))).message;
    expect(message).toMatch(
      /miners\.0 \(package throwing-schema-miner\) \(from \.\/episodic\.config\.mjs\): mine\(\) candidate 0\.data: the miner's own dataSchema threw: schema exploded/,
    );
    expect(message).toMatch(
      /miners\.1 \(package throwing-describe-miner\) \(from \.\/episodic\.config\.mjs\): mine\(\) candidate 0\.describe\(data\): threw: .*undefined/,
    );
  });

  it("names the package.json of a plugin package that is not JSON, not only the parser's complaint", async () => {
    const cwd = project({
      'node_modules/broken-manifest-miner/package.json': '{ "name": "broken-manifest-miner", main: }',
      'node_modules/broken-manifest-miner/index.js': 'export default {};',
      'episodic.config.mjs': `export default { miners: ['broken-manifest-miner'] };`,
    });
    const manifest = join(cwd, 'node_modules/broken-manifest-miner/package.json');
    expect((await failure(() => loadConfig({ flags: {}, env: {}, cwd }))).message).toContain(
      'Invalid plugins (checked at start): miners.0 (package broken-manifest-miner) (from ./episodic.config.mjs): ' +
        `${manifest} cannot be read as JSON: `,
    );
  });

  it('checks an embedding provider object given in the file, and refuses a file without a default export', async () => {
    const cwd = project({
      'conf/episodic.config.js': `export default {
        embeddings: { specificationVersion: 'v1', provider: 'acme', model: 'm', dimensions: 0, maxBatchSize: 8, deterministic: true, embed: async () => [] },
      };`,
      'conf/package.json': JSON.stringify({ type: 'module' }),
      'named.mjs': 'export const config = {};',
    });
    const message = (
      await failure(() => loadConfig({ flags: { config: 'conf/episodic.config.js' }, env: {}, cwd }))
    ).message;
    expect(message).toBe(
      'Invalid plugins (checked at start): embeddings (provider acme/m) (from conf/episodic.config.js): dimensions: must be a positive integer',
    );
    expect(
      (await failure(() => loadConfig({ flags: { config: 'named.mjs' }, env: {}, cwd }))).message,
    ).toMatch(/has no default export/);
  });

  it('loads episodic.config.ts through the tsx installed beside it, and says what to install without it', async () => {
    const config = `import type { EpisodicConfig } from '@episodic/server';\nconst port: number = 4321;\nexport default { port } satisfies EpisodicConfig;\n`;
    const withTsx = project({ 'episodic.config.ts': config }, ['zod', 'tsx']);
    expect((await loadConfig({ flags: {}, env: {}, cwd: withTsx })).port).toBe(4321);
    const without = project({ 'episodic.config.ts': config }, []);
    expect((await failure(() => loadConfig({ flags: {}, env: {}, cwd: without }))).message).toMatch(
      /needs tsx installed in its folder \(npm install --save-dev tsx\)/,
    );
  });

  it('refuses two config files side by side rather than picking one', async () => {
    const cwd = project({
      'episodic.config.mjs': 'export default {};',
      'episodic.config.js': 'export default {};',
    });
    expect((await failure(() => loadConfig({ flags: {}, env: {}, cwd }))).message).toMatch(
      /^Found .*episodic\.config\.mjs and .*episodic\.config\.js: keep one, or choose with --config FILE\.$/,
    );
  });
});
