import { setImmediate as turn } from 'node:timers/promises';
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
});
