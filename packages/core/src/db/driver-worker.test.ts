import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/temp-store.js';

const script = fileURLToPath(new URL('../__fixtures__/workers-under-esm.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe("the engine's worker threads", () => {
  it('run in a process started with --input-type=module, which its workers inherit', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '--import',
        'tsx',
        '-e',
        `process.argv[2] = ${JSON.stringify(join(dir.path, 'memory.db'))}; await import(${JSON.stringify(script)});`,
      ],
      { cwd: packageRoot },
    );
    // Without the fix: "the checkpoint worker stopped (require is not defined in ES module scope…)".
    expect(JSON.parse(stdout)).toEqual({ found: 20, warnings: [] });
  }, 120_000);
});
