import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { call } from './__fixtures__/debugging-scenario.js';
import { connectStdio } from './__fixtures__/stdio-client.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-mcp-data-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A project folder with `episodic.config.mjs` naming `./data`, as `episodic serve` there would use. */
const project = join(root, 'project');
const home = join(root, 'home');
const elsewhere = join(root, 'elsewhere');
for (const dir of [project, home, elsewhere]) mkdirSync(dir);
writeFileSync(join(project, 'episodic.config.mjs'), "export default { dataDir: './data' };\n");

/** Starts `episodic-mcp` with no --data-dir in `cwd` and returns its start-up line. */
async function startUpLine(cwd: string, env: Record<string, string> = {}): Promise<string> {
  const mcp = await connectStdio([], { HOME: home, ...env }, cwd);
  try {
    // An answer, so the store is open and the line written.
    await call(mcp.client, 'memory_recall', { task: 'anything' });
    return /serving embedded .*/.exec(mcp.stderr())?.[0] ?? mcp.stderr();
  } finally {
    await mcp.client.close();
  }
}

it("opens the config file's dataDir as `episodic serve` in the same folder does, and says so", async () => {
  const line = await startUpLine(project);
  expect(existsSync(join(project, 'data', 'memory.db'))).toBe(true);
  expect(existsSync(join(home, '.episodic'))).toBe(false);
  expect(line).toBe(`serving embedded ${join(project, 'data')} (from the config file's dataDir) over stdio`);
}, 120_000);

it('takes EPISODIC_DATA_DIR over the config file, and ~/.episodic when nothing names a store', async () => {
  const named = join(root, 'named');
  expect(await startUpLine(project, { EPISODIC_DATA_DIR: named })).toBe(
    `serving embedded ${named} (from EPISODIC_DATA_DIR) over stdio`,
  );
  expect(await startUpLine(elsewhere)).toBe(
    `serving embedded ${join(home, '.episodic')} (the default: no --data-dir, EPISODIC_DATA_DIR or config file dataDir) over stdio`,
  );
}, 120_000);
