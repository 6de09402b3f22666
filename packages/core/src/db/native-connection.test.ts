import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';

const workload = fileURLToPath(new URL('./__fixtures__/statement-memory.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

it('keeps the memory of its prepared statements bounded when long VALUES lists come in ever new lengths', async () => {
  const folder = tempStoreFolder();
  try {
    // In a process of its own, so that only the connection's memory moves RSS.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', workload, folder.path],
      { cwd: packageRoot },
    );
    const { grownMb, rows } = JSON.parse(stdout) as { grownMb: number; rows: number };
    // Kept by count alone, each new length stays prepared: ~50 MB more here; freed, their memory is
    // reused.
    expect(grownMb).toBeLessThan(20);
    // What is kept still answers.
    expect(rows).toBe((300 * 301) / 2);
  } finally {
    folder.cleanup();
  }
}, 120_000);
