import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stopCli, trackedCli } from './__fixtures__/cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-settings-source-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// Registered after the removal, so run before it (vitest runs afterAll hooks last in, first out).
const start = trackedCli();

/** `serve` in a folder holding `files`, on a free port: what it says at start. */
async function startLines(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const serve = start(['serve', '--port', '0', '--data-dir', join(dir, 'data')], {}, dir);
  await serve.waitFor(/^Settings: .*$/m);
  await stopCli(serve);
  return serve.stdout();
}

// Servers starting on a loaded machine: room for them.
describe('where serve says its settings came from', { timeout: 120_000 }, () => {
  it('names the config file it read, and one it did not read because of its name', async () => {
    const config = 'export default { learningThread: false };\n';
    expect(await startLines('named', { 'episodic.config.mjs': config })).toMatch(
      /^Settings: \.\/episodic\.config\.mjs, with the flags and environment variables given\.$/m,
    );
    // Misspelt, and JSON: before, the server started on its defaults without a word.
    const misspelt = await startLines('misspelt', {
      'episodic.conifg.mjs': config,
      'episodic.config.json': '{}',
    });
    expect(misspelt).toContain(`Settings: no config file in ${join(root, 'misspelt')}; the defaults`);
    expect(misspelt).toContain(
      'Not read: episodic.config.json, episodic.conifg.mjs (a config file is named episodic.config.ts, episodic.config.mts, episodic.config.mjs, episodic.config.js, or given with --config FILE).',
    );
    expect(await startLines('none', {})).not.toContain('Not read');
  });
});
