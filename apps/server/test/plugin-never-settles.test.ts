import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { openStore } from '../src/store/open-store.js';
import { runCli, spawnCli } from './__fixtures__/cli-process.js';

const serverModules = fileURLToPath(new URL('../node_modules', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'episodic-plugin-never-settles-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A user's folder with an `episodic.config.mjs` naming `miners: ['hang-plugin']` (or, for `slot`
 * `embeddings`, `embeddings: 'hang-plugin'`) and that package installed beside it (zod linked from
 * here): `module` is the package's `index.js`.
 */
function project(
  name: string,
  module: string,
  settings = '',
  slot: 'miners' | 'embeddings' = 'miners',
): string {
  const dir = join(root, name);
  const files = {
    'node_modules/hang-plugin/package.json': JSON.stringify({
      name: 'hang-plugin',
      type: 'module',
      exports: { '.': { import: './index.js' } },
    }),
    'node_modules/hang-plugin/index.js': module,
    'episodic.config.mjs': `export default { dataDir: './data', ${slot === 'miners' ? "miners: ['hang-plugin']" : "embeddings: 'hang-plugin'"}, ${settings} };`,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  symlinkSync(join(serverModules, 'zod'), join(dir, 'node_modules', 'zod'), 'dir');
  return dir;
}

const miner = (mine: string) => `import { z } from 'zod';
export default {
  specificationVersion: 'v1',
  patternType: 'hang',
  dataSchema: z.object({}),
  mine: ${mine},
};
`;

/**
 * Queues an episode whose plugin call hangs ("HANG here"), starts `command` on the project `dir`,
 * and once the plugin is in the hung call (it writes `entered`), checks a SIGTERM ends the process
 * with exit 0 within 30 s.
 */
async function stopsOnSigterm(dir: string, command: 'serve' | 'worker') {
  const configFile = join(dir, 'episodic.config.mjs');
  const queued = await openStore(await loadConfig({ flags: { config: configFile }, env: {} }), {
    learning: false,
  });
  const episode = await queued.episodes.start({ taskType: 'debugging', domain: 'web', context: 'HANG here' });
  await queued.episodes.complete(episode.id, { status: 'completed' });
  await queued.close();

  const cli = spawnCli([command, '--config', configFile]);
  try {
    const entered = join(dir, 'node_modules', 'hang-plugin', 'entered');
    for (const deadline = Date.now() + 60_000; !existsSync(entered) && Date.now() < deadline; )
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(entered), cli.stderr()).toBe(true);
    cli.child.kill('SIGTERM');
    const waited = new Promise((resolve) => setTimeout(resolve, 30_000, 'still running 30 s after SIGTERM'));
    expect(await Promise.race([cli.exited, waited]), cli.stderr()).toBe(0);
  } finally {
    cli.child.kill('SIGKILL');
  }
}

// Each case is one CLI process, start-up included: room for a loaded machine.
describe('a plugin that never settles', { timeout: 120_000 }, () => {
  it('is refused at the start check after learning.mineTimeoutMs, in one line naming it, exit 1', async () => {
    const dir = project(
      'hangs-in-mine',
      miner('() => new Promise(() => {})'),
      'learning: { mineTimeoutMs: 1000 }',
    );
    for (const command of [['tokens', 'create', '--name', 'ci'], ['worker']]) {
      const result = await runCli([...command, '--config', join(dir, 'episodic.config.mjs')]);
      expect(result.code, command.join(' ')).toBe(1);
      expect(result.stderr).toBe(
        'episodic: Invalid plugins (checked at start): miners.0 (package hang-plugin) (from ' +
          `${join(dir, 'episodic.config.mjs')}): mine() on a sample episode did not settle within 1000 ms ` +
          '(learning.mineTimeoutMs)\n',
      );
      expect(result.stdout).toBe('');
    }
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('ends the start, saying so, when mine() computes without a pause where no deadline can stop it', async () => {
    const dir = project('loops-in-mine', miner('() => { for (;;) {} }'), 'learning: { mineTimeoutMs: 1000 }');
    // Before, serve hung for ever before it listened, said nothing and ignored SIGTERM.
    const started = Date.now();
    const result = await runCli(['serve', '--port', '0', '--config', join(dir, 'episodic.config.mjs')]);
    expect(result.code).toBeNull();
    expect(result.stderr).toBe(
      `episodic: miners.0 (package hang-plugin) (from ${join(dir, 'episodic.config.mjs')}): mine() on a sample ` +
        'episode computed for 1000 ms without a pause (learning.mineTimeoutMs): a loop that never ends? ' +
        'Stopping (SIGKILL): nothing was written.\n',
    );
    expect(result.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it("is refused at the start check when its own dataSchema never settles on mine()'s candidates", async () => {
    const dir = project(
      'hangs-in-schema',
      `export default {
  specificationVersion: 'v1',
  patternType: 'hang',
  dataSchema: { '~standard': { version: 1, vendor: 'hang', validate: () => new Promise(() => {}) } },
  mine: () => [{ data: {}, success: true }],
};
`,
      'learning: { mineTimeoutMs: 1000 }',
    );
    const result = await runCli(['worker', '--config', join(dir, 'episodic.config.mjs')]);
    expect([result.code, result.stderr]).toEqual([
      1,
      'episodic: Invalid plugins (checked at start): miners.0 (package hang-plugin) (from ' +
        `${join(dir, 'episodic.config.mjs')}): the miner's own dataSchema on mine()'s candidates for a ` +
        'sample episode did not settle within 1000 ms (learning.mineTimeoutMs)\n',
    ]);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it("names a plugin whose import never settles after the start check's 60 s, exit 1", async () => {
    // A top-level await on something that never comes (a service it waits for): its import()
    // never settles. Without the bound the command exited with a message naming no plugin.
    const dir = project('hangs-on-import', `await new Promise(() => {});\n${miner('() => []')}`);
    const result = await runCli([
      'tokens',
      'create',
      '--name',
      'ci',
      '--config',
      join(dir, 'episodic.config.mjs'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'episodic: Invalid plugins (checked at start): miners.0 (package hang-plugin) (from ' +
        `${join(dir, 'episodic.config.mjs')}): its import and factory did not settle within 60000 ms ` +
        '(the start check: does it wait for a service that does not answer?)\n',
    );
    expect(result.stdout).toBe('');
  });

  it('makes the command exit 1 with a message when it leaves the command waiting on nothing', async () => {
    // A config file whose top-level await never settles, with nothing else keeping the event
    // loop alive: Node would exit 0 with the command not done.
    const dir = join(root, 'config-hangs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'episodic.config.mjs'), 'await new Promise(() => {});\nexport default {};\n');
    const result = await runCli(['tokens', 'list', '--config', join(dir, 'episodic.config.mjs')]);
    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(result.stderr).toMatch(/^episodic: the command stopped before it finished: [^\n]*\n$/);
  });

  it('lets serve and worker stop with exit 0 on a SIGTERM that comes while they start (plugins loading)', async () => {
    for (const command of ['serve', 'worker']) {
      // An import that waits for the test (a service coming up): the start check holds the open there.
      const dir = project(
        `slow-import-${command}`,
        `import { existsSync, writeFileSync } from 'node:fs';
writeFileSync(new URL('./entered', import.meta.url), '');
while (!existsSync(new URL('./gate', import.meta.url))) await new Promise((resolve) => setTimeout(resolve, 20));
${miner('() => []')}`,
      );
      const plugin = join(dir, 'node_modules', 'hang-plugin');
      const port = command === 'serve' ? ['--port', '0'] : [];
      const child = spawnCli([command, ...port, '--config', join(dir, 'episodic.config.mjs')]);
      try {
        await expect.poll(() => existsSync(join(plugin, 'entered')), { timeout: 60_000 }).toBe(true);
        child.child.kill('SIGTERM');
        await expect
          .poll(() => child.stderr(), { timeout: 30_000 })
          .toContain('SIGTERM: stopping once started.\n');
        writeFileSync(join(plugin, 'gate'), '');
        // Without its handler installed before the open, Node's default ended it by the signal.
        expect(await child.exited, child.stderr()).toBe(0);
        expect(child.stdout()).toBe('');
        expect(child.stderr()).toMatch(/then closing the store\.\nStopped cleanly\.\n$/);
      } finally {
        child.child.kill('SIGKILL');
      }
    }
  });

  it('does not keep a worker from stopping on SIGTERM while its miner hangs on an episode', async () => {
    const dir = project(
      'hangs-on-one-episode',
      miner(`({ episode }) => {
        if (!episode.context?.includes('HANG')) return [];
        writeFileSync(new URL('./entered', import.meta.url), '');
        return new Promise(() => {});
      }`).replace(
        "import { z } from 'zod';",
        "import { writeFileSync } from 'node:fs';\nimport { z } from 'zod';",
      ),
      // Far beyond the test: only SIGTERM can end the wait.
      'learning: { mineTimeoutMs: 3_600_000 }',
    );
    await stopsOnSigterm(dir, 'worker');
  });
  it("lets serve stop on SIGTERM while its embedding provider's embed() hangs, ignoring its signal", async () => {
    const dir = project(
      'provider-hangs',
      `import { writeFileSync } from 'node:fs';
export default {
  specificationVersion: 'v1',
  provider: 'hang',
  model: 'hang-1',
  dimensions: 4,
  maxBatchSize: 8,
  deterministic: true,
  embed(texts) {
    if (!texts.some((text) => text.includes('HANG'))) return Promise.resolve(texts.map(() => new Float32Array([1, 0, 0, 0])));
    writeFileSync(new URL('./entered', import.meta.url), '');
    return new Promise(() => {});
  },
};
`,
      "port: 0, host: '127.0.0.1'",
      'embeddings',
    );
    // Before, serve ran on until a second signal: the learning thread waited on the provider.
    await stopsOnSigterm(dir, 'serve');
  });
});
