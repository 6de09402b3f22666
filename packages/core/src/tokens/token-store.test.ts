import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { EpisodicError } from '../errors.js';
import { openMemory } from '../open-memory.js';
import { maxScopeDomains } from '../schemas/call-options.js';
import { tokenRecheckMs } from './token-store.js';

afterEach(() => {
  vi.useRealTimers();
});

async function refusal(promise: Promise<unknown>): Promise<EpisodicError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (caught: unknown) => caught,
  );
  expect(EpisodicError.isInstance(error)).toBe(true);
  return error as EpisodicError;
}

describe('token store', () => {
  it('shows the bearer once and stores only a hash of its secret', async () => {
    await using store = await openTempMemory();
    const { token, bearer } = await store.memory.tokens.create({ name: 'agent', domains: ['web'] });
    expect(bearer).toMatch(new RegExp(`^ep_${token.id}_[A-Za-z0-9_-]{43}$`));
    expect(token).toMatchObject({
      name: 'agent',
      scopes: ['read', 'write'],
      domains: ['web'],
      revokedAt: null,
    });

    const listed = await store.memory.tokens.list();
    expect(listed).toEqual([token]);
    expect(JSON.stringify(listed)).not.toContain(bearer.slice(-43));

    const raw = createClient({ url: store.url });
    const row = (await raw.execute('SELECT * FROM api_tokens')).rows[0];
    raw.close();
    expect(Object.values(row ?? {}).join(' ')).not.toContain(bearer.slice(-43));
    await store.memory.close();
    const bytes = ['memory.db', 'memory.db-wal']
      .map((file) => {
        try {
          return readFileSync(join(store.dir, file)).toString('latin1');
        } catch {
          return '';
        }
      })
      .join('');
    expect(bytes).toContain(token.id);
    expect(bytes).not.toContain(bearer.slice(-43));
  });

  it('verifies the right bearer and refuses wrong, malformed, unknown and revoked ones alike', async () => {
    await using store = await openTempMemory();
    const { tokens } = store.memory;
    const { token, bearer } = await tokens.create({ name: 'ci', scopes: ['read'] });
    expect(await tokens.verify(bearer)).toMatchObject({ id: token.id, scopes: ['read'], domains: null });

    const secret = bearer.slice(-43);
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(await tokens.verify(`ep_${token.id}_${flipped}`)).toBeNull();
    expect(await tokens.verify('')).toBeNull();
    expect(await tokens.verify(`${bearer}x`)).toBeNull();
    expect(await tokens.verify(bearer.replace(token.id, '01900000-0000-7000-8000-000000000000'))).toBeNull();

    const revoked = await tokens.revoke(token.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect(await tokens.verify(bearer)).toBeNull();
    expect((await tokens.revoke(token.id)).revokedAt).toBe(revoked.revokedAt);
    expect(await tokens.count()).toBe(1);
  });

  it('stops honouring a token revoked by another process within the recheck delay', async () => {
    await using store = await openTempMemory();
    const { token, bearer } = await store.memory.tokens.create({ name: 'agent' });
    vi.useFakeTimers({ toFake: ['Date'] });
    expect(await store.memory.tokens.verify(bearer)).not.toBeNull();

    const other = await openMemory({ url: store.url });
    await other.tokens.revoke(token.id);
    await other.close();

    // Still trusted from the in-process check a moment ago: this is the bounded delay.
    expect(await store.memory.tokens.verify(bearer)).not.toBeNull();
    expect(await store.memory.tokens.isActive(token.id)).toBe(true);
    vi.advanceTimersByTime(tokenRecheckMs + 1);
    expect(await store.memory.tokens.verify(bearer)).toBeNull();
    expect(await store.memory.tokens.isActive(token.id)).toBe(false);
  });

  it('stops honouring a token revoked by another process after the clock was set back', async () => {
    await using store = await openTempMemory();
    const { token, bearer } = await store.memory.tokens.create({ name: 'agent' });
    vi.useFakeTimers({ toFake: ['Date'] });
    expect(await store.memory.tokens.verify(bearer)).not.toBeNull();
    // The wall clock stepped back an hour (an NTP correction), then another process revoked it.
    vi.setSystemTime(Date.now() - 3_600_000);
    const other = await openMemory({ url: store.url });
    await other.tokens.revoke(token.id);
    await other.close();

    vi.advanceTimersByTime(tokenRecheckMs + 1);
    // The cached check, an hour "in the future", was trusted for that hour.
    expect(await store.memory.tokens.verify(bearer)).toBeNull();
    expect(await store.memory.tokens.isActive(token.id)).toBe(false);
  });

  it('records when a token was last used', async () => {
    await using store = await openTempMemory();
    const { token, bearer } = await store.memory.tokens.create({ name: 'agent' });
    expect(token.lastUsedAt).toBeNull();
    await store.memory.tokens.verify(bearer);
    await vi.waitFor(async () => {
      const [listed] = await store.memory.tokens.list();
      expect(listed?.lastUsedAt).not.toBeNull();
    });
  });

  it("says once, not per request, when it cannot record a token's last use", async () => {
    const warnings: string[] = [];
    await using store = await openTempMemory({ logger: { warn: (message) => warnings.push(message) } });
    const { token, bearer } = await store.memory.tokens.create({ name: 'agent' });
    const raw = createClient({ url: store.url });
    await raw.execute(`CREATE TRIGGER no_touch BEFORE UPDATE OF last_used_at ON api_tokens BEGIN
      SELECT RAISE(ABORT, 'the disk is full'); END`);
    raw.close();
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let call = 0; call < 3; call += 1) {
      expect(await store.memory.tokens.verify(bearer)).not.toBeNull(); // the request itself succeeds
      vi.advanceTimersByTime(tokenRecheckMs + 61_000);
    }
    await vi.waitFor(() => expect(warnings.length).toBeGreaterThan(0));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(token.id);
    expect(warnings[0]).toContain('the disk is full');
  });

  it('refuses bad token settings with field paths', async () => {
    await using store = await openTempMemory();
    const { tokens } = store.memory;
    const adminInDomain = await refusal(tokens.create({ name: 'ops', scopes: ['admin'], domains: ['web'] }));
    expect(adminInDomain.code).toBe('VALIDATION');
    expect(adminInDomain.issues.map((issue) => issue.path)).toEqual(['domains']);

    const bad = await refusal(tokens.create({ name: '', scopes: ['read', 'root' as 'read'], domains: [] }));
    expect([...new Set(bad.issues.map((issue) => issue.path))].sort()).toEqual([
      'domains',
      'name',
      'scopes.1',
    ]);
    // An empty name is too short, and only that: it holds no control character.
    expect(bad.issues.filter((issue) => issue.path === 'name').map((issue) => issue.message)).toEqual([
      'Too small: expected string to have >=1 characters',
    ]);
    // A right-to-left override would show `ci` + U+202E + `nimda` in `episodic tokens list` as `ciadmin`.
    const spoofed = await refusal(tokens.create({ name: 'ci\u202enimda', domains: ['web\u2028'] }));
    expect(spoofed.issues.map((issue) => issue.path).sort()).toEqual(['domains.0', 'name']);
    expect((await refusal(tokens.revoke('nope'))).code).toBe('VALIDATION');
    expect((await refusal(tokens.revoke('01900000-0000-7000-8000-000000000000'))).code).toBe('NOT_FOUND');
    expect(await tokens.count()).toBe(0);
    // A scope of more domains than a call takes would make a token no call can use.
    const domains = Array.from({ length: maxScopeDomains }, (_, i) => `d${i}`);
    expect((await tokens.create({ name: 'widest', domains })).token.domains).toHaveLength(maxScopeDomains);
    const tooWide = await refusal(tokens.create({ name: 'wider', domains: [...domains, 'web'] }));
    expect(tooWide.issues.map((issue) => issue.path)).toEqual(['domains']);
  });

  it('audits creating and revoking a token, by whom, never its secret', async () => {
    await using store = await openTempMemory();
    const { memory } = store;
    const { token, bearer } = await memory.tokens.create({ name: 'agent' }, { actor: 'ops-token' });
    await memory.tokens.revoke(token.id);
    await memory.admin.flushAudit();
    const entries = (await memory.admin.audit()).filter((entry) => entry.entityType === 'token');
    expect(entries).toMatchObject([
      { actor: 'ops-token', operation: 'create', entityId: token.id, domain: null, outcome: 'ok' },
      { actor: 'local', operation: 'update', entityId: token.id, domain: null, outcome: 'ok' },
    ]);
    expect(JSON.stringify(entries)).not.toContain(bearer.slice(-43));
  });
});
