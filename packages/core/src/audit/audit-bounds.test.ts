import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import type { MemoryConfig } from '../config.js';

let store: Awaited<ReturnType<typeof openTempMemory>> | undefined;
afterEach(() => store?.close());

async function open(config: MemoryConfig = {}) {
  store = await openTempMemory({ cache: false, logger: { warn: () => undefined }, ...config });
  return store;
}

async function sql(url: string, statement: string, args: string[] = []) {
  const raw = createClient({ url });
  try {
    return await raw.execute({ sql: statement, args });
  } finally {
    raw.close();
  }
}

const day = 86_400_000;

describe('audit retention', () => {
  it('prunes entries past 90 days by default, audits the pruning, and allows no other delete', async () => {
    const { memory, url } = await open();
    const episode = await memory.episodes.start({ taskType: 'testing', domain: 'web' });
    await memory.episodes.get(episode.id);
    await memory.admin.flushAudit();
    const before = await memory.admin.audit();
    expect(before.length).toBeGreaterThanOrEqual(2);

    expect((await memory.admin.retention({}, { now: new Date(Date.now() + 89 * day) })).auditPruned).toBe(0);
    const report = await memory.admin.retention({}, { now: new Date(Date.now() + 91 * day), actor: 'ops' });
    expect(report.auditPruned).toBe(before.length);
    const after = await memory.admin.audit();
    expect(after).toMatchObject([
      {
        actor: 'ops',
        operation: 'admin',
        entityType: 'audit_log',
        entityId: expect.stringMatching(/^pruned \d+ entries before /),
      },
    ]);

    // Any other delete is refused by the database itself, even of old rows…
    await expect(sql(url, "DELETE FROM audit_log WHERE at < '9999'")).rejects.toThrow(/append-only/);
    // …and an open gate still protects every entry at or after its cut-off.
    await expect(
      sql(url, "INSERT INTO audit_prune_gate VALUES ('2000-01-01'); DELETE FROM audit_log;").then(() =>
        sql(url, 'DELETE FROM audit_log'),
      ),
    ).rejects.toThrow(/append-only/);
    expect(await memory.admin.audit()).toHaveLength(1);
  });

  it('keeps the entries of backups written, so forget still names them once their period has passed', async () => {
    const { memory, dir } = await open();
    await memory.episodes.start({ taskType: 'testing', domain: 'web' });
    const backup = join(dir, 'nightly.db');
    await memory.admin.backup(backup);
    const report = await memory.admin.retention({}, { now: new Date(Date.now() + 91 * day) });
    expect(report.auditPruned).toBeGreaterThan(0);
    expect((await memory.admin.audit({ operation: 'export' })).map((entry) => entry.entityId)).toEqual([
      backup,
    ]);
    expect((await memory.admin.forget({ domain: 'web' })).unreachedCopies).toEqual([backup]);
  });

  it('keeps every entry when retentionDays is null', async () => {
    const { memory } = await open({ audit: { retentionDays: null } });
    await memory.episodes.start({ taskType: 'testing', domain: 'web' });
    expect((await memory.admin.retention({}, { now: new Date(Date.now() + 9_999 * day) })).auditPruned).toBe(
      0,
    );
    expect(await memory.admin.audit()).toHaveLength(1);
  });
});

describe('read audit per minute', () => {
  it('writes one row per caller and minute with a count, and no entity id', async () => {
    const { memory } = await open({ audit: { reads: 'per-minute' } });
    const episode = await memory.episodes.start({ taskType: 'testing', domain: 'web' });
    for (let i = 0; i < 30; i += 1) await memory.episodes.get(episode.id, { actor: 'agent-a' });
    for (let i = 0; i < 12; i += 1) await memory.episodes.get(episode.id, { actor: 'agent-b' });
    await memory.admin.flushAudit();
    const reads = (await memory.admin.audit({ operation: 'read' })).filter((e) => e.entityType === 'episode');
    const perActor = (actor: string) =>
      reads.filter((e) => e.actor === actor).reduce((sum, e) => sum + e.count, 0);
    expect([perActor('agent-a'), perActor('agent-b')]).toEqual([30, 12]);
    // A minute boundary may fall inside the loop: at most two rows per caller.
    expect(reads.length).toBeLessThanOrEqual(4);
    expect(reads.every((e) => e.entityId === null && e.at.endsWith(':00.000Z'))).toBe(true);
    // Writes are still one row each, with their entity.
    expect(await memory.admin.audit({ operation: 'create' })).toMatchObject([
      { entityId: episode.id, count: 1 },
    ]);
  });
});

describe('audit buffer', () => {
  it('fails loudly once maxPending entries wait, and loses none of them when writes come back', async () => {
    const { memory, url } = await open({ audit: { maxPending: 5 } });
    const episode = await memory.episodes.start({ taskType: 'testing', domain: 'web' });
    await sql(
      url,
      `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'down'); END`,
    );
    for (let i = 0; i < 5; i += 1) await memory.episodes.get(episode.id);
    await memory.admin.flushAudit(); // fails, and keeps the five
    await expect(memory.episodes.get(episode.id)).rejects.toMatchObject({
      code: 'STORAGE',
      message: expect.stringMatching(/5 entries are waiting/),
    });
    await sql(url, 'DROP TRIGGER refuse_audit');
    await memory.admin.flushAudit();
    expect(await memory.admin.audit({ operation: 'read' })).toHaveLength(5);
    expect(await memory.episodes.get(episode.id)).not.toBeNull();
  });

  it('keeps up with a tight loop of cached reads and audits every one', async () => {
    const { memory, url } = await open({ cache: {}, audit: { maxPending: 1_100 } });
    const episode = await memory.episodes.start({ taskType: 'testing', domain: 'web' });
    // Cache hits after the first. Without waiting for the batch writes, this loop outran them
    // and was refused at about 61,000 reads (the cache bench at 160,000 with the default bound).
    for (let i = 0; i < 80_000; i += 1) await memory.episodes.get(episode.id);
    expect(memory.admin.cacheStats().keyspaces.episode.hits).toBe(79_999);
    await memory.admin.flushAudit();
    const counted = await sql(url, `SELECT COUNT(*) AS n FROM audit_log WHERE operation = 'read'`);
    expect(Number(counted.rows[0]?.n)).toBe(80_000);
  });
});
