import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';

describe('maintenance through the open store', () => {
  it('backs up while open, verifies the copy, and audits who exported the database', async () => {
    await using store = await openTempMemory();
    await store.memory.episodes.start({ taskType: 'testing', domain: 'web', context: 'kept in the backup' });
    const report = await store.memory.admin.backup(join(store.dir, 'backups', 'one.db'), {
      actor: 'token-7',
    });
    expect(report).toMatchObject({ ok: true, counts: { episodes: 1 } });

    const taken = join(store.dir, 'taken.db');
    writeFileSync(taken, 'not mine');
    await expect(store.memory.admin.backup(taken, { actor: 'token-7' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const entries = await store.memory.admin.audit({ operation: 'export' });
    expect(entries.map(({ actor, entityType, outcome }) => ({ actor, entityType, outcome }))).toEqual([
      { actor: 'token-7', entityType: 'database', outcome: 'ok' },
      { actor: 'token-7', entityType: 'database', outcome: 'error' },
    ]);
  });

  it('repairs, drops cached copies of what it changed, and audits it as an admin operation', async () => {
    await using store = await openTempMemory();
    const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await store.memory.episodes.logSteps(episode.id, [{ action: 'survivor' }]);
    expect((await store.memory.episodes.get(episode.id))?.domain).toBe('web');
    const raw = createClient({ url: store.url });
    await raw.execute('PRAGMA foreign_keys = OFF');
    await raw.execute({ sql: 'DELETE FROM episodes WHERE id = ?', args: [episode.id] });
    raw.close();

    expect(await store.memory.admin.repair({ dryRun: true })).toMatchObject({ orphanSteps: 1, changes: [] });
    const report = await store.memory.admin.repair({}, { actor: 'token-8' });
    expect(report.recoveredEpisodes).toEqual([episode.id]);
    expect(await store.memory.episodes.get(episode.id)).toMatchObject({
      domain: 'recovered',
      steps: [{ action: 'survivor' }],
    });
    const entries = await store.memory.admin.audit({ operation: 'admin' });
    expect(entries.map(({ actor, outcome }) => [actor, outcome])).toEqual([
      ['local', 'ok'],
      ['token-8', 'ok'],
    ]);
  });
});
