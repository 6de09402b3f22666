import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import Libsql from 'libsql';
import { describe, expect, it } from 'vitest';
import { createOperationGuard, letEventLoopRunEvery } from './storage-errors.js';

describe('the operation guard', () => {
  it('lets the event loop turn within a tight loop of awaited operations', async () => {
    const guarded = createOperationGuard();
    let done = 0;
    const turnedAfter: number[] = [];
    setImmediate(() => turnedAfter.push(done));
    // Awaited one after another, the operations resolve as microtasks: without the guard the
    // loop (and the finalizers that free native statements) would not turn until the end.
    for (; done < 200; done += 1) await guarded(() => done);
    expect(turnedAfter).toHaveLength(1);
    expect(turnedAfter[0]).toBeLessThanOrEqual(letEventLoopRunEvery + 1);
  });

  it('runs an operation at once when the event loop has turned since the last ones', async () => {
    const guarded = createOperationGuard();
    for (let i = 0; i < 200; i += 1) {
      await turn();
      let ran = false;
      const operation = guarded(() => {
        ran = true;
      });
      // Not deferred behind whatever else is queued: a read sent aside is posted at once.
      expect(ran, `operation ${i}`).toBe(true);
      await operation;
    }
  });

  it('turns what the driver throws into a STORAGE error that keeps it as cause', async () => {
    const guarded = createOperationGuard();
    const thrown = new Error('disk I/O error');
    await expect(
      guarded(() => {
        throw thrown;
      }),
    ).rejects.toMatchObject({
      code: 'STORAGE',
      message: expect.stringMatching(/disk I\/O error/),
      cause: thrown,
    });
  });

  it('names `episodic restore <file>` when the file turns out damaged after it opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'episodic-damaged-'));
    try {
      const path = join(dir, 'damaged.db');
      const writer = new Libsql(path);
      writer.exec('CREATE TABLE t (body TEXT)');
      writer.prepare("INSERT INTO t SELECT printf('%.1000c', 'x') FROM generate_series(1, 200)").run();
      writer.close();
      // The schema page stays whole, so the file opens; the table's pages do not.
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(100 * 1024, 0xff), 0, 100 * 1024, 8 * 1024);
      closeSync(fd);
      const reader = new Libsql(path);
      const guarded = createOperationGuard();
      try {
        await expect(
          guarded(() => reader.prepare('SELECT count(*), max(body) FROM t').all()),
        ).rejects.toMatchObject({
          code: 'STORAGE',
          message: expect.stringMatching(
            /malformed\. The database file is damaged: .*`episodic restore <file>`/,
          ),
        });
      } finally {
        reader.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names `episodic restore <file>` for damage a read worker reports by its message only', async () => {
    const guarded = createOperationGuard();
    await expect(
      guarded(() => {
        throw new Error('database disk image is malformed');
      }),
    ).rejects.toThrow(/`episodic restore <file>`/);
  });
});
