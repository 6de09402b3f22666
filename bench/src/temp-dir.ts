import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@episodic/core';

const live = new Set<string>();

function removeLive(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

let signalsHooked = false;

/** `finally` does not run when the process is interrupted, so Ctrl-C cleans up here instead. */
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeLive();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Runs `body` with a fresh directory under `os.tmpdir()` and removes the directory afterwards. */
export async function withTempDir<T>(prefix: string, body: (dir: string) => Promise<T>): Promise<T> {
  hookSignals();
  const dir = mkdtempSync(join(tmpdir(), `episodic-bench-${prefix}-`));
  live.add(dir);
  try {
    return await body(dir);
  } finally {
    live.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A data folder holding a copy of a seeded database (closed, so fully checkpointed): every run starts alike. */
export function freshDataDir(context: { tempDir: string }, seedFile: string): string {
  const dataDir = join(context.tempDir, `run-${newId()}`);
  mkdirSync(dataDir, { mode: 0o700 });
  copyFileSync(seedFile, join(dataDir, 'memory.db'));
  return dataDir;
}
