import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlugins } from './load-plugins.js';

const folder = mkdtempSync(join(tmpdir(), 'episodic-load-plugins-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A package installed in `folder` whose index.js is `source`. */
function installed(name: string, source: string): void {
  const dir = join(folder, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, type: 'module', exports: './index.js' }));
  writeFileSync(join(dir, 'index.js'), source);
}

describe('loading plugins at start', () => {
  it('names a plugin whose factory never settles once the load deadline passes', async () => {
    // A factory waiting on a service that never answers.
    installed('waits-forever', 'export default () => new Promise(() => {});\n');
    const layer = { miners: ['waits-forever'] };
    const refused = await loadPlugins(layer, () => ({ folder, origin: ' (from --miners)' }), 1000, 300).catch(
      (error: unknown) => error as { code?: string; message?: string },
    );
    expect([refused?.code, refused?.message]).toEqual([
      'CONFIG',
      'Invalid plugins (checked at start): miners.0 (package waits-forever) (from --miners): its import and ' +
        'factory did not settle within 300 ms (the start check: does it wait for a service that does not answer?)',
    ]);
  });

  it('names the file and line of a syntax error in a plugin', async () => {
    installed('broken-syntax', 'export default {\n  specificationVersion: "v1",\n  mine: (\n');
    const refused = await loadPlugins(
      { miners: ['broken-syntax'] },
      () => ({ folder, origin: '' }),
      1000,
    ).catch((error: unknown) => error as { message?: string });
    expect(refused?.message).toBe(
      `Invalid plugins (checked at start): miners.0 (package broken-syntax): Unexpected end of input in ${join(folder, 'node_modules', 'broken-syntax', 'index.js')} (line 4)`,
    );
  });
});
