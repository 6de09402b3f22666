import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stopCli, trackedCli } from './__fixtures__/cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-queue-only-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// Registered after the removal, so run before it (vitest runs afterAll hooks last in, first out).
const start = trackedCli();

// Servers and workers starting on a loaded machine: room for them.
describe('a server set to run no learners', { timeout: 180_000 }, () => {
  it('says at start that it only queues, and whether any process learns what it queues', async () => {
    const dataDir = join(root, 'data');
    const configFile = join(root, 'episodic.json');
    writeFileSync(configFile, JSON.stringify({ dataDir, port: 0, memory: { learning: { run: false } } }));

    const alone = start(['serve', '--config', configFile]);
    await alone.waitFor(/listening on/);
    await alone.waitFor(/This server runs no learners/);
    expect(alone.stdout()).toContain(
      'This server runs no learners (memory.learning.run is false): finished episodes are queued for learning (0 pending), ' +
        'and no process learns them now: start `episodic worker` beside it.\n',
    );
    await stopCli(alone);

    const worker = start(['worker', '--config', configFile]);
    await worker.waitFor(/Episodic worker learning/);
    const beside = start(['serve', '--config', configFile]);
    await beside.waitFor(/This server runs no learners/);
    expect(beside.stdout()).toContain('and another process learns them (`episodic learning status` names');
    await stopCli(beside);
    await stopCli(worker);

    // The default runs the learners: nothing to say.
    writeFileSync(configFile, JSON.stringify({ dataDir, port: 0 }));
    const learning = start(['serve', '--config', configFile]);
    await learning.waitFor(/listening on/);
    await stopCli(learning);
    expect(learning.stdout()).not.toContain('runs no learners');
  });
});
