import { join } from 'node:path';
import Libsql from 'libsql';
import { describe, expect, it } from 'vitest';
import { recordEpisodes } from './__fixtures__/record-episodes.js';
import { startTestServer } from './__fixtures__/test-server.js';

const pendingRows = (db: Libsql.Database) =>
  Number((db.prepare('SELECT COUNT(*) AS n FROM learning_queue').get() as { n: number }).n);

describe('the learning thread of episodic serve', () => {
  it('learns while the thread that answers requests is busy, and reports its own status', async () => {
    await using t = await startTestServer();
    const { memory } = t.server;
    await recordEpisodes(memory, 6);
    // Hold this thread's event loop, reading the queue synchronously: learners sharing the loop
    // could not take a single batch until it is released.
    const db = new Libsql(join(t.dir, 'memory.db'), { readonly: true });
    let pending = pendingRows(db);
    for (const deadline = Date.now() + 90_000; pending > 0 && Date.now() < deadline; )
      pending = pendingRows(db);
    db.close();
    expect(pending).toBe(0);

    const status = await memory.learning.flush();
    expect(status).toMatchObject({ pending: 0, failed: 0, running: true });
    expect(status.learners.mining?.learnedPerSecond).toBeGreaterThan(0);
    // The thread starts a second copy of the server's modules: on a loaded machine, from source, slowly.
  }, 180_000);
});
