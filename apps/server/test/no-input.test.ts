import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientTestServer, rejection, startTestServer } from './__fixtures__/test-server.js';

let t: ClientTestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

describe('procedures that take no input', () => {
  it('answer nothing and {} alike, and refuse any key with BAD_REQUEST naming it, as every other procedure does', async () => {
    const admin = t.client(t.adminToken);
    const unknown = { a: 1 } as never;
    const calls: [string, (input: never) => Promise<unknown>][] = [
      ['session.whoami', (input) => admin.session.whoami.query(input)],
      ['admin.stats', (input) => admin.admin.stats.query(input)],
      ['admin.health', (input) => admin.admin.health.query(input)],
      ['admin.analyze', (input) => admin.admin.analyze.mutate(input)],
      ['admin.purge', (input) => admin.admin.purge.mutate(input)],
      ['learning.status', (input) => admin.learning.status.query(input)],
      ['learning.retryFailed', (input) => admin.learning.retryFailed.mutate(input)],
    ];
    for (const [name, call] of calls) {
      await call(undefined as never);
      await call({} as never);
      const refused = await rejection(call(unknown));
      expect([name, refused.data?.code, refused.data?.httpStatus, refused.data?.issues]).toEqual([
        name,
        'BAD_REQUEST',
        400,
        [{ path: '(input)', message: 'Unrecognized key: "a"' }],
      ]);
    }
  });
});
