import { seedPatternTypes, seedTaskTypes } from '@episodic/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientTestServer, rejection, startTestServer } from './__fixtures__/test-server.js';

const idOf = (bearer: string) => /^ep_([0-9a-f-]{36})_/.exec(bearer)?.[1] as string;

/** The engine's default limits, but the page size this server is configured with. */
const limits = {
  maxDomainChars: 128,
  maxContextChars: 64 * 1024,
  maxActionChars: 4 * 1024,
  maxResultChars: 64 * 1024,
  maxMetadataChars: 16 * 1024,
  maxStepsPerCall: 1000,
  maxPageSize: 10,
  maxStepCharsPerPage: 4 * 1024 * 1024,
  maxRecordsPerCall: 1000,
  maxRecordedStepsPerCall: 10_000,
  maxBodyBytes: 2_000_000,
};

let t: ClientTestServer;

beforeAll(async () => {
  t = await startTestServer({
    limits: { maxPageSize: 10 },
    taskTypes: ['deployment'],
    maxBodyBytes: 2_000_000,
  });
});
afterAll(async () => {
  await t.close();
});

describe('session.whoami', () => {
  it("tells an admin token it is one, with the server's limits and the types its store accepts", async () => {
    expect(await t.client(t.adminToken).session.whoami.query()).toEqual({
      token: {
        id: idOf(t.adminToken),
        name: 'first admin',
        scopes: ['read', 'write', 'admin'],
        domains: null,
      },
      admin: true,
      limits,
      taskTypes: [...seedTaskTypes, 'deployment'],
      patternTypes: [...seedPatternTypes],
    });
  });

  it('tells a domain token without admin its scopes and domains, and the page size the server holds it to', async () => {
    const bearer = await t.token({ name: 'shop agent', scopes: ['read', 'write'], domains: ['shop'] });
    const shop = t.client(bearer);
    const session = await shop.session.whoami.query({});
    expect(session).toEqual({
      token: { id: idOf(bearer), name: 'shop agent', scopes: ['read', 'write'], domains: ['shop'] },
      admin: false,
      limits,
      taskTypes: [...seedTaskTypes, 'deployment'],
      patternTypes: [...seedPatternTypes],
    });
    // The limit it reports is the one the server applies.
    await shop.episodes.list.query({ limit: session.limits.maxPageSize });
    const tooLarge = await rejection(shop.episodes.list.query({ limit: session.limits.maxPageSize + 1 }));
    expect(tooLarge.data?.code).toBe('BAD_REQUEST');
  });

  it('answers a token of any scope, records no refusal, and refuses a request without a valid token', async () => {
    const bearer = await t.token({ name: 'exporter', scopes: ['write'], domains: ['traces'] });
    expect(await t.client(bearer).session.whoami.query()).toMatchObject({
      token: { scopes: ['write'], domains: ['traces'] },
      admin: false,
    });
    const denied = await t.client(t.adminToken).admin.audit.query({ actor: idOf(bearer), outcome: 'denied' });
    expect(denied).toEqual([]);

    const anonymous = await rejection(t.client(undefined).session.whoami.query());
    expect([anonymous.data?.code, anonymous.message]).toEqual([
      'UNAUTHORIZED',
      'Missing bearer token: send "Authorization: Bearer <token>".',
    ]);
    const revoked = await t.server.memory.tokens.create({ name: 'gone' });
    await t.server.memory.tokens.revoke(revoked.token.id);
    expect((await rejection(t.client(revoked.bearer).session.whoami.query())).data?.code).toBe(
      'UNAUTHORIZED',
    );
  });

  it('refuses input it does not take with BAD_REQUEST, naming what is wrong', async () => {
    const admin = t.client(t.adminToken);
    const extra = await rejection(admin.session.whoami.query({ token: 'ep_x' } as never));
    expect([extra.data?.code, extra.data?.httpStatus, extra.message, extra.data?.issues]).toEqual([
      'BAD_REQUEST',
      400,
      'Invalid input: (input): Unrecognized key: "token"',
      [{ path: '(input)', message: 'Unrecognized key: "token"' }],
    ]);
    const text = await rejection(admin.session.whoami.query('me' as never));
    expect([text.data?.code, text.message]).toEqual([
      'BAD_REQUEST',
      'Invalid input: (input): Invalid input: expected object, received string',
    ]);
  });
});
