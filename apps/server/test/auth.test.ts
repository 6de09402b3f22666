import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startServer } from '../src/server.js';
import { rejection, startTestServer } from './__fixtures__/test-server.js';

const codeOf = (error: { data?: Record<string, unknown> }) => error.data?.code;
const httpStatusOf = (error: { data?: Record<string, unknown> }) => error.data?.httpStatus;

describe('bearer tokens', () => {
  it('answers 401 without a token, with a malformed header and with a wrong or revoked token', async () => {
    await using t = await startTestServer();
    const noToken = await rejection(t.client(undefined).episodes.list.query({}));
    expect([codeOf(noToken), httpStatusOf(noToken)]).toEqual(['UNAUTHORIZED', 401]);
    expect(noToken.message).toMatch(/Missing bearer token/);

    const basic = await fetch(`${t.url}/trpc/episodes.list`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(basic.status).toBe(401);
    expect(await basic.text()).toMatch(/Malformed Authorization header/);

    const wrong = `${t.adminToken.slice(0, -1)}${t.adminToken.endsWith('A') ? 'B' : 'A'}`;
    expect(httpStatusOf(await rejection(t.client(wrong).episodes.list.query({})))).toBe(401);

    const token = await t.server.memory.tokens.create({ name: 'soon revoked' });
    await t.client(token.bearer).episodes.list.query({});
    await t.server.memory.tokens.revoke(token.token.id);
    const revoked = await rejection(t.client(token.bearer).episodes.list.query({}));
    expect([codeOf(revoked), revoked.message]).toEqual(['UNAUTHORIZED', 'Invalid or revoked token.']);
  });

  it('answers 403 to a token used outside its scopes', async () => {
    await using t = await startTestServer();
    const reader = t.client(await t.token({ name: 'reader', scopes: ['read'] }));
    const writer = t.client(await t.token({ name: 'writer', scopes: ['write'] }));

    const write = await rejection(reader.episodes.start.mutate({ taskType: 'testing', domain: 'web' }));
    expect([codeOf(write), httpStatusOf(write)]).toEqual(['FORBIDDEN', 403]);
    expect(write.message).toBe('This token lacks the "write" scope.');
    const episode = await writer.episodes.start.mutate({ taskType: 'testing', domain: 'web' });
    expect(codeOf(await rejection(writer.episodes.get.query({ episodeId: episode.id })))).toBe('FORBIDDEN');
    expect((await reader.episodes.get.query({ episodeId: episode.id })).id).toBe(episode.id);
    expect(codeOf(await rejection(reader.admin.stats.query()))).toBe('FORBIDDEN');
    expect((await t.client(t.adminToken).admin.health.query()).status).toBe('ok');
  });

  it('answers 403 to a write into a domain outside the token', async () => {
    await using t = await startTestServer();
    const web = t.client(await t.token({ name: 'web', domains: ['web'] }));
    const refused = await rejection(web.episodes.start.mutate({ taskType: 'testing', domain: 'mobile' }));
    expect([codeOf(refused), httpStatusOf(refused)]).toEqual(['FORBIDDEN', 403]);
    expect((await web.episodes.start.mutate({ taskType: 'testing', domain: 'web' })).domain).toBe('web');
  });

  it('creates an admin token in a 0600 file on the first start only', async () => {
    await using t = await startTestServer();
    expect(t.server.adminTokenFile).not.toBeNull();
    expect(statSync(t.server.adminTokenFile as string).mode & 0o777).toBe(0o600);
    expect(t.adminToken).toMatch(/^ep_/);
    const [first] = await t.server.memory.tokens.list();
    expect(first).toMatchObject({ scopes: ['read', 'write', 'admin'], domains: null });

    // Tokens exist (even if all are revoked): a restart mints nothing.
    await t.server.memory.tokens.revoke(first?.id as string);
    const again = await startServer({
      port: 0,
      dataDir: t.dir,
      store: t.server.memory,
      log: () => undefined,
    });
    expect(again.adminTokenFile).toBeNull();
    await again.close();
    expect(await t.server.memory.tokens.count()).toBe(1);
  });

  it('deletes the first-start token file once another admin token exists, saying so once', async () => {
    await using t = await startTestServer();
    const file = t.server.adminTokenFile as string;
    const restart = async () => {
      const lines: string[] = [];
      const server = await startServer({
        port: 0,
        dataDir: t.dir,
        store: t.server.memory,
        log: (line) => lines.push(line),
      });
      await server.close();
      return lines;
    };
    await t.server.memory.tokens.create({ name: 'reader', scopes: ['read'] });
    expect(await restart()).toEqual([]);
    expect(existsSync(file)).toBe(true); // a narrower token is not a replacement

    await t.server.memory.tokens.create({ name: 'ops', scopes: ['read', 'write', 'admin'] });
    expect(await restart()).toEqual([
      `Deleted the first-start admin token file ${file}: another admin token exists.`,
    ]);
    expect(existsSync(file)).toBe(false);
    expect(await restart()).toEqual([]);
  });
});
