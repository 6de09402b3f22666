import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { rejection, startTestServer } from './__fixtures__/test-server.js';

describe('retention on a schedule', () => {
  it('archives and deletes what the policies say, and nothing else, audited as "retention"', async () => {
    await using t = await startTestServer({
      retention: { scratch: { deleteAfterDays: 30 }, support: { archiveAfterDays: 7, deleteAfterDays: 365 } },
      retentionIntervalMs: 100,
    });
    const admin = t.client(t.adminToken);
    const start = (domain: string, context: string) =>
      admin.episodes.start.mutate({ taskType: 'analysis', domain, context });
    const oldScratch = await start('scratch', 'old scratch notes');
    const newScratch = await start('scratch', 'new scratch notes');
    const oldTicket = await start('support', 'old ticket about invoices');
    const ancientTicket = await start('support', 'ancient ticket');
    const unmanaged = await start('billing', 'old billing run');
    // Aged in one transaction while the schedule runs. A run can still see them aged between its
    // delete and archive steps: the episode past the delete line must then wait for the next run.
    const raw = createClient({ url: `file:${join(t.dir, 'memory.db')}` });
    const aged = (id: string, days: number) => ({
      sql: 'UPDATE episodes SET created_at = ? WHERE id = ?',
      args: [new Date(Date.now() - days * 86_400_000).toISOString(), id],
    });
    await raw.batch(
      [
        aged(oldScratch.id, 40),
        aged(oldTicket.id, 10),
        aged(ancientTicket.id, 400),
        aged(unmanaged.id, 4000),
      ],
      'write',
    );
    raw.close();

    await expect
      .poll(
        async () => (await rejection(admin.episodes.get.query({ episodeId: oldScratch.id }))).data?.code,
        { timeout: 30_000 },
      )
      .toBe('NOT_FOUND');
    await expect
      .poll(async () => (await admin.episodes.get.query({ episodeId: oldTicket.id })).status, {
        timeout: 30_000,
      })
      .toBe('archived');
    expect((await rejection(admin.episodes.get.query({ episodeId: ancientTicket.id }))).data?.code).toBe(
      'NOT_FOUND',
    );
    expect((await admin.episodes.get.query({ episodeId: newScratch.id })).status).toBe('active');
    expect((await admin.episodes.get.query({ episodeId: unmanaged.id })).status).toBe('active');

    // Archived: out of default retrieval, still readable and retrievable on request.
    const found = await admin.search.retrieve.query({ text: 'ticket invoices' });
    expect(found.episodes.map((hit) => hit.episode.id)).not.toContain(oldTicket.id);
    const archived = await admin.search.retrieve.query({ text: 'ticket invoices', status: 'archived' });
    expect(archived.episodes.map((hit) => hit.episode.id)).toContain(oldTicket.id);

    const entries = await admin.admin.audit.query({ actor: 'retention', limit: 1000 });
    expect(entries.map((entry) => [entry.operation, entry.entityId]).sort()).toEqual(
      [
        ['delete', oldScratch.id],
        ['delete', ancientTicket.id],
        ['update', oldTicket.id],
      ].sort(),
    );
  });
});
