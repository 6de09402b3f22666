import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config/server-config.js';
import { ServerError } from '../src/errors/server-error.js';
import { superviseLearningThread } from '../src/store/learning-supervisor.js';
import { openStore } from '../src/store/open-store.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the learning thread of episodic serve, when it stops', () => {
  it('is started again after it could not open the store, and the server answers meanwhile', async () => {
    const root = mkdtempSync(join(tmpdir(), 'episodic-learning-supervisor-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    // A file where the thread's data folder goes: its store cannot open (as on a full disk).
    const dataDir = join(root, 'data');
    writeFileSync(dataDir, 'in the way');
    const serving = await openStore(parseServerConfig({ dataDir: join(root, 'serving') }), {
      learning: false,
    });
    cleanups.push(() => serving.close());
    const lines: string[] = [];
    const thread = superviseLearningThread(
      { config: parseServerConfig({ dataDir }), plugins: [] },
      serving,
      (line) => lines.push(line),
    );
    cleanups.push(() => thread.close());

    // The thread starts a second copy of the server's modules: on a loaded machine, from source, slowly.
    await expect.poll(() => lines.length, { timeout: 120_000, interval: 100 }).toBeGreaterThan(0);
    expect(lines[0]).toMatch(
      /^episodic: nothing learns in this process until the learning thread starts again \(in 1 s\): The learning thread could not open the store: /,
    );
    // Meanwhile: the queue as the serving thread reads it, which runs no learner; a flush is a 503.
    expect(await thread.status()).toMatchObject({ running: false });
    const refused = await thread.flush({}).catch((error: unknown) => error);
    expect(ServerError.isInstance(refused) && refused.code).toBe('UNAVAILABLE');
    expect((refused as Error).message).toMatch(
      /^The learners of this server are not running: The learning thread could not open/,
    );

    rmSync(dataDir);
    await expect
      .poll(async () => (await thread.status()).running, { timeout: 120_000, interval: 250 })
      .toBe(true);
    expect(lines.at(-1)).toBe('episodic: the learning thread runs again');
    expect(await thread.flush({})).toMatchObject({ pending: 0, failed: 0, running: true });
  }, 300_000);
});
