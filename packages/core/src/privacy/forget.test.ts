import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ByteScanOptions, filesHolding } from '../__fixtures__/folder-bytes.js';
import { killAfter } from '../__fixtures__/kill-after.js';
import { openTempMemory, tempStoreFolder, testCacheEnabled } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { allFtsTables } from '../maintenance/fts-tables.js';
import { restoreDatabase } from '../maintenance/restore-database.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { openMemory } from '../open-memory.js';

const forgetThenHang = fileURLToPath(new URL('../__fixtures__/forget-then-hang.ts', import.meta.url));

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeEach(async () => {
  store = await openTempMemory({ miners: [createActionPairMiner()] });
});
afterEach(() => store.close());

async function record(
  domain: string,
  secret: string,
  metadata: Record<string, string> = {},
  actions = ['lint', 'fix'],
) {
  const episode = await store.memory.episodes.start({
    taskType: 'debugging',
    domain,
    context: `context ${secret}`,
    metadata,
  });
  await store.memory.episodes.logSteps(
    episode.id,
    actions.map((action) => ({ action, result: `result ${secret}` })),
  );
  await store.memory.episodes.complete(episode.id, { status: 'completed' });
  await store.memory.learning.flush();
  return episode.id;
}

async function count(table: string, where = '1'): Promise<number> {
  const raw = createClient({ url: store.url });
  const n = Number((await raw.execute(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0]?.n);
  raw.close();
  return n;
}

/** The files of the database folder, cache included (or of the cache alone), that hold `text`. */
function holding(text: string, options: ByteScanOptions & { only?: 'cache' } = {}): string[] {
  return filesHolding(options.only === 'cache' ? join(store.dir, 'cache') : store.dir, text, options);
}

describe('forget', () => {
  it('removes episodes by id with their steps, links and full-text rows, auditing without content', async () => {
    const gone = await record('web', 'PELICAN7741');
    const kept = await record('web', 'OTTER2210');
    await store.memory.episodes.get(gone); // cached, if the cache is on

    const report = await store.memory.admin.forget({ episodeIds: [gone] }, { actor: 'token-x' });
    expect(report).toMatchObject({ episodeIds: [gone], domains: ['web'] });
    expect(await store.memory.episodes.get(gone)).toBeNull();
    expect(await store.memory.episodes.get(kept)).not.toBeNull();
    expect(await store.memory.search.text({ text: 'PELICAN7741' })).toEqual([]);
    expect(await count('steps', `episode_id = '${gone}'`)).toBe(0);
    expect(await count('episode_patterns', `episode_id = '${gone}'`)).toBe(0);

    const audit = await store.memory.admin.audit({ operation: 'delete' });
    expect(audit).toMatchObject([
      { actor: 'token-x', entityType: 'episode', entityId: gone, domain: 'web', outcome: 'ok' },
    ]);
    expect(JSON.stringify(await store.memory.admin.audit({ limit: 1000 }))).not.toContain('PELICAN');
  });

  it('leaves no trace of the deleted text in the database, its WAL or the cache once the purge ran', async () => {
    const gone = await record('web', 'PELICAN7741');
    const kept = await record('web', 'OTTER2210');
    await store.memory.episodes.get(gone); // in the cache too, when it is on
    await store.memory.episodes.get(kept);
    expect(holding('PELICAN7741')).not.toEqual([]);
    if (testCacheEnabled) expect(holding('PELICAN7741', { only: 'cache' })).not.toEqual([]);
    const report = await store.memory.admin.forget({ episodeIds: [gone] });
    expect(report.purge).toBe('pending');
    expect((await store.memory.admin.stats()).purge.pendingSince).not.toBeNull();
    const state = await store.memory.admin.purge();
    expect(state.pendingSince).toBeNull();
    expect(state.lastPurgedAt).not.toBeNull();
    // In any case: the full-text index keeps its tokens folded.
    expect(holding('PELICAN7741', { foldCase: true })).toEqual([]);
    expect(holding('OTTER2210')).not.toEqual([]);
  });

  it("leaves no trace of the deleted text when forget returns, with purge: 'wait'", async () => {
    const gone = await record('web', 'PELICAN7741');
    await record('web', 'OTTER2210');
    const report = await store.memory.admin.forget({ episodeIds: [gone] }, { purge: 'wait' });
    expect(report.purge).toBe('done');
    expect(holding('PELICAN7741', { foldCase: true })).toEqual([]);
    expect(holding('OTTER2210')).not.toEqual([]);
  });

  it('purges at the next open what a process killed between forget and purge left behind', async () => {
    const folder = tempStoreFolder();
    try {
      let said = '';
      await killAfter(forgetThenHang, [folder.url, 'PELICAN7741'], (line) => {
        said = line;
        return line.startsWith('forgotten');
      });
      expect(said).toBe('forgotten pending');
      const holding = () => filesHolding(folder.dir, 'PELICAN7741', { foldCase: true });
      expect(holding()).not.toEqual([]);
      const memory = await openMemory({ url: folder.url, cache: false });
      try {
        // The open itself starts the purge: wait for it through stats, as an operator would.
        await expect
          .poll(async () => (await memory.admin.stats()).purge.pendingSince, {
            timeout: 60_000,
            interval: 100,
          })
          .toBeNull();
        expect(holding()).toEqual([]);
        const check = createClient({ url: folder.url });
        for (const table of allFtsTables)
          await check.execute(`INSERT INTO ${table} (${table}, rank) VALUES ('integrity-check', 1)`);
        expect((await check.execute('PRAGMA integrity_check')).rows[0]?.[0]).toBe('ok');
        check.close();
      } finally {
        await memory.close();
      }
    } finally {
      folder.cleanup();
    }
  }, 120_000);

  it('forgets a whole domain, or by metadata, and only within the caller’s scope', async () => {
    await record('team-a', 'A1', { user: 'alice' });
    await record('team-a', 'A2', { user: 'bob' });
    const b = await record('team-b', 'B1', { user: 'alice' });

    expect(
      (await store.memory.admin.forget({ metadata: { user: 'alice' } }, { scope: { domains: ['team-a'] } }))
        .episodeIds,
    ).toHaveLength(1);
    expect(await store.memory.episodes.get(b)).not.toBeNull();
    expect(
      (await store.memory.admin.forget({ domain: 'team-b' }, { scope: { domains: ['team-a'] } })).episodeIds,
    ).toEqual([]);
    expect((await store.memory.admin.forget({ domain: 'team-a' })).episodeIds).toHaveLength(1);
    expect((await store.memory.episodes.list({ domain: 'team-a' })).items).toEqual([]);
    await expect(store.memory.admin.forget({ metadata: {} })).rejects.toMatchObject({ code: 'VALIDATION' });
    for (const mixed of [{}, { domain: 'team-a', episodeIds: [b] }])
      await expect(store.memory.admin.forget(mixed as never)).rejects.toThrow(
        /must be one of \{ episodeIds \}, \{ domain, createdBefore\? \} or \{ metadata \}/u,
      );
    // A selector of one shape that is wrong inside says which field is, at its path (each read
    // `(input)`, the path only in the message).
    const tooMany = Array.from({ length: 10_001 }, () => crypto.randomUUID());
    await expect(store.memory.admin.forget({ episodeIds: tooMany })).rejects.toMatchObject({
      issues: [{ path: 'episodeIds', message: 'Too big: expected array to have <=10000 items' }],
    });
    await expect(
      store.memory.admin.forget({ metadata: { ticket: {}, at: Number.NaN } } as never),
    ).rejects.toMatchObject({
      issues: [
        {
          path: 'metadata.ticket',
          message: 'must be a string (up to 1,024 characters), a number, a boolean or null',
        },
        {
          path: 'metadata.at',
          message: 'must be a string (up to 1,024 characters), a number, a boolean or null',
        },
      ],
    });
    await expect(
      store.memory.admin.forget({ episodeIds: [crypto.randomUUID(), 'nope'] }),
    ).rejects.toMatchObject({ issues: [{ path: 'episodeIds.1', message: 'must be a UUID' }] });
    // A thousand keys passed SQLite's expression depth limit: a storage error, not a refusal.
    const manyKeys = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, 1]));
    await expect(store.memory.admin.forget({ metadata: manyKeys })).rejects.toThrow(
      /metadata: must name at most 100 keys/u,
    );
    // A time past the year 9999 once in UTC matched nothing, and the forget answered "none that old".
    await expect(
      store.memory.admin.forget({ domain: 'team-a', createdBefore: '9999-12-31T23:59:59-23:59' }),
    ).rejects.toThrow(/createdBefore: must lie between the years 0000 and 9999/u);
    await expect(store.memory.admin.audit({ until: '9999-12-31T23:59:59-23:59' })).rejects.toThrow(
      /until: must lie between the years 0000 and 9999/u,
    );
  });

  it('forgets many episodes in transactions of batchSize, letting other writes in between them', async () => {
    const bulk: string[] = [];
    for (let i = 0; i < 7; i += 1) bulk.push(await record('bulk', `BULK${i}`));
    let meanwhile: Promise<{ id: string }> | undefined;
    setImmediate(() => {
      meanwhile = store.memory.episodes.start({
        taskType: 'debugging',
        domain: 'other',
        context: 'meanwhile',
      });
    });
    const report = await store.memory.admin.forget({ domain: 'bulk' }, { batchSize: 3 });
    expect(report.episodeIds.toSorted()).toEqual(bulk.toSorted());
    expect((await store.memory.episodes.list({ domain: 'bulk' })).items).toEqual([]);
    const started = await meanwhile;
    // One transaction would have held that write until every deletion was done (or run it first).
    const entries = await store.memory.admin.audit({ limit: 1000 });
    const created = entries.findIndex((entry) => entry.entityId === started?.id);
    const deleted = entries.flatMap((entry, i) => (entry.operation === 'delete' ? [i] : []));
    expect(deleted).toHaveLength(7);
    expect(deleted.filter((i) => i < created).length).toBeGreaterThan(0);
    expect(deleted.filter((i) => i > created).length).toBeGreaterThan(0);
    await expect(store.memory.admin.forget({ domain: 'other' }, { batchSize: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/batchSize/),
    });
    expect(await store.memory.episodes.get(started!.id)).not.toBeNull();
  });

  it('forgets by any metadata key, whatever characters it holds, and by each kind of value', async () => {
    const keys = ['a"b', 'say "hi"', 'a.b', 'back\\slash', '$[0]', 'ключ'];
    const byKey = new Map<string, string>();
    for (const key of keys) byKey.set(key, await record('keys', key, { [key]: 'v' }));
    for (const key of keys)
      expect((await store.memory.admin.forget({ metadata: { [key]: 'v' } })).episodeIds).toEqual([
        byKey.get(key),
      ]);

    const start = (metadata: Record<string, unknown>) =>
      store.memory.episodes.start({ taskType: 'debugging', domain: 'kinds', metadata });
    const number = await start({ n: 1 });
    const text = await start({ n: '1' });
    const flag = await start({ ok: false });
    const empty = await start({ gone: null });
    const other = await start({ gone: 'here' });
    expect((await store.memory.admin.forget({ metadata: { n: 1 } })).episodeIds).toEqual([number.id]);
    expect((await store.memory.admin.forget({ metadata: { ok: false } })).episodeIds).toEqual([flag.id]);
    expect((await store.memory.admin.forget({ metadata: { gone: null } })).episodeIds).toEqual([empty.id]);
    expect((await store.memory.admin.forget({ metadata: { n: '1' } })).episodeIds).toEqual([text.id]);
    expect(await store.memory.episodes.get(other.id)).not.toBeNull();
  });

  it('never takes an object or array for the string of its JSON text, nor true for 1', async () => {
    const start = (metadata: Record<string, unknown>) =>
      store.memory.episodes.start({ taskType: 'debugging', domain: 'kinds', metadata });
    const object = await start({ user: { id: 7 } });
    const array = await start({ tags: ['x'] });
    const flag = await start({ ok: true });
    const text = await start({ user: '{"id":7}' });
    expect((await store.memory.admin.forget({ metadata: { user: '{"id":7}' } })).episodeIds).toEqual([
      text.id,
    ]);
    expect((await store.memory.admin.forget({ metadata: { tags: '["x"]' } })).episodeIds).toEqual([]);
    expect((await store.memory.admin.forget({ metadata: { ok: 1 } })).episodeIds).toEqual([]);
    for (const kept of [object, array, flag]) expect(await store.memory.episodes.get(kept.id)).not.toBeNull();
  });

  it('recomputes the patterns the episodes supported; a pattern left with no evidence disappears', async () => {
    const first = await record('web', 'S1', {}, ['lint', 'fix']);
    await record('web', 'S2', {}, ['lint', 'fix']);
    const only = await record('web', 'S3', {}, ['deploy', 'verify']);
    const pairs = async () =>
      Object.fromEntries(
        (await store.memory.patterns.list({ type: 'action_pair' as never })).items.map((p) => [
          JSON.stringify(p.patternData),
          p,
        ]),
      );
    expect((await pairs())['{"first":"lint","then":"fix"}']).toBeDefined();

    await store.memory.admin.forget({ episodeIds: [only, first] });
    const after = await pairs();
    expect(after['{"first":"deploy","then":"verify"}']).toBeUndefined();
    const lintFix = after['{"first":"lint","then":"fix"}'] as unknown as { support: number } | undefined;
    expect(lintFix?.support).toBe(1);
  });

  it.runIf(testCacheEnabled)(
    'leaves none of the deleted text in the cache files, however many entries they hold',
    async () => {
      const gone = await record('web', 'PELICAN7741');
      await store.memory.episodes.get(gone);
      for (let i = 0; i < 60; i += 1) {
        const kept = await record('web', `kept-${i}-${'x'.repeat(2000)}`);
        await store.memory.episodes.get(kept);
      }
      expect(holding('PELICAN7741', { only: 'cache' })).not.toEqual([]);
      await store.memory.admin.forget({ episodeIds: [gone] });
      await store.memory.admin.purge();
      expect(holding('PELICAN7741', { only: 'cache' })).toEqual([]);
      expect((await store.memory.episodes.list({ limit: 100 })).items).toHaveLength(60);
    },
  );

  it.runIf(testCacheEnabled)(
    'replaces the cache environment in the purge, once for a burst of forgets, not once per forget',
    async () => {
      const ids = [];
      for (let i = 0; i < 6; i += 1) ids.push(await record('web', `PELICAN${i}`));
      for (const id of ids) await store.memory.episodes.get(id);
      // A file of ours in the environment's folder: replacing the environment removes the folder.
      const cacheFolder = join(store.dir, 'cache');
      const marker = () => {
        const env = readdirSync(cacheFolder).find((name) => name.startsWith('lmdb-'));
        return join(cacheFolder, env ?? 'none', 'replaced-if-missing');
      };
      writeFileSync(marker(), '');
      let replaced = 0;
      for (const id of ids) {
        await store.memory.admin.forget({ episodeIds: [id] });
        // Gone from every API at once, whether or not the purge has run yet.
        expect(await store.memory.episodes.get(id)).toBeNull();
        if (!existsSync(marker())) {
          replaced += 1;
          writeFileSync(marker(), '');
        }
      }
      // Each environment replaced costs native memory a busy server gets back slowly: the first
      // purge run starts at once, the next waits at least a second, so six quick forgets take one
      // or two (a few on a loaded machine), where each forget used to replace it.
      expect(replaced).toBeLessThanOrEqual(3);
      await store.memory.admin.purge();
      expect(holding('PELICAN', { only: 'cache' })).toEqual([]);
    },
  );

  it.runIf(testCacheEnabled)('serves no cached copy of a forgotten episode', async () => {
    const gone = await record('web', 'PELICAN7741');
    expect(await store.memory.episodes.get(gone)).not.toBeNull();
    expect(await store.memory.episodes.get(gone)).not.toBeNull();
    await store.memory.admin.forget({ episodeIds: [gone] });
    expect(await store.memory.episodes.get(gone)).toBeNull();
  });
});

describe('forget with an embedding provider', () => {
  it('leaves none of the deleted text in the embedded content, in any file of the data folder', async () => {
    const withVectors = await openTempMemory({ embeddings: createTestEmbeddings().provider });
    try {
      const record = async (secret: string) => {
        const episode = await withVectors.memory.episodes.start({
          taskType: 'debugging',
          domain: 'web',
          context: `context ${secret}`,
        });
        await withVectors.memory.episodes.logSteps(episode.id, [
          { action: 'deploy', success: false, result: `failed on ${secret}` },
        ]);
        await withVectors.memory.episodes.complete(episode.id, { status: 'failed' });
        await withVectors.memory.learning.flush();
        return episode.id;
      };
      const gone = await record('HERON5521');
      await record('BADGER6630');
      const raw = createClient({ url: withVectors.url });
      const embedded = await raw.execute(
        "SELECT count(*) AS n FROM embeddings WHERE content LIKE '%HERON5521%'",
      );
      raw.close();
      expect(Number(embedded.rows[0]?.n)).toBe(2); // the episode's text and its failed step's

      await withVectors.memory.admin.forget({ episodeIds: [gone] }, { purge: 'wait' });
      expect(filesHolding(withVectors.dir, 'HERON5521', { foldCase: true })).toEqual([]);
      expect(filesHolding(withVectors.dir, 'BADGER6630')).not.toEqual([]);
    } finally {
      await withVectors.close();
    }
  });
});

describe('forget and whole copies of the store', () => {
  it('names the backups and kept files it cannot reach, and only those that still exist', async () => {
    await record('web', 'PELICAN7741');
    const backup = join(store.dir, 'nightly.db');
    await store.memory.admin.backup(backup);
    const kept = join(store.dir, 'memory.db.before-restore-2026-01-01T00-00-00-000Z');
    writeFileSync(kept, 'a file a restore kept');
    // Its WAL and shared memory are named with it, not as copies of their own.
    for (const suffix of ['-wal', '-shm']) writeFileSync(`${kept}${suffix}`, 'kept with it');
    expect((await store.memory.admin.forget({ domain: 'web' })).unreachedCopies).toEqual(
      [kept, backup].sort(),
    );
    rmSync(backup);
    expect((await store.memory.admin.forget({ domain: 'web' })).unreachedCopies).toEqual([kept]);
  });

  it('says which forgotten episodes a restore of an older backup brings back, and keeps the deletions logged', async () => {
    const folder = tempStoreFolder();
    try {
      let memory = await openMemory({ url: folder.url, cache: false });
      const kept = await memory.episodes.start({ taskType: 'debugging', domain: 'web', context: 'kept' });
      const gone = await memory.episodes.start({
        taskType: 'debugging',
        domain: 'web',
        context: 'PELICAN7741',
      });
      const backup = join(folder.dir, 'before-the-forget.db');
      await memory.admin.backup(backup);
      await memory.admin.forget({ episodeIds: [gone.id] }, { purge: 'wait' });
      await memory.close();
      const report = await restoreDatabase({ path: folder.path, from: backup });
      expect(report.reappeared).toEqual([gone.id]);
      memory = await openMemory({ url: folder.url, cache: false });
      try {
        expect((await memory.episodes.list()).items.map((episode) => episode.id).sort()).toEqual(
          [kept.id, gone.id].sort(),
        );
        const deletions = await memory.admin.audit({ operation: 'delete' });
        expect(deletions.map((entry) => [entry.entityType, entry.entityId])).toEqual([['episode', gone.id]]);
      } finally {
        await memory.close();
      }
      // Restored again from the same backup: reported again, logged once.
      expect((await restoreDatabase({ path: folder.path, from: backup })).reappeared).toEqual([gone.id]);
      memory = await openMemory({ url: folder.url, cache: false });
      try {
        expect(await memory.admin.audit({ operation: 'delete' })).toHaveLength(1);
      } finally {
        await memory.close();
      }
    } finally {
      folder.cleanup();
    }
  });

  it('still names the backups written before a restore, the restored one included', async () => {
    const folder = tempStoreFolder();
    try {
      let memory = await openMemory({ url: folder.url, cache: false });
      await memory.episodes.start({ taskType: 'debugging', domain: 'web', context: 'PELICAN7741' });
      const first = join(folder.dir, 'first.db');
      const second = join(folder.dir, 'second.db');
      await memory.admin.backup(first);
      await memory.episodes.start({ taskType: 'debugging', domain: 'web', context: 'OTTER2210' });
      await memory.admin.backup(second);
      await memory.close();
      // The restored log was copied before either backup's own entry was written.
      await restoreDatabase({ path: folder.path, from: first });
      memory = await openMemory({ url: folder.url, cache: false });
      try {
        const report = await memory.admin.forget({ domain: 'web' });
        expect(report.unreachedCopies).toEqual([first, second]);
      } finally {
        await memory.close();
      }
    } finally {
      folder.cleanup();
    }
  });
});

describe('retention', () => {
  it('leaves an episode that crossed the delete line during the run for the next run to delete, unarchived', async () => {
    const due = await record('logs', 'DUE');
    const crossing = await record('logs', 'CROSSING');
    const raw = createClient({ url: store.url });
    await raw.execute({
      sql: `UPDATE episodes SET created_at = '2001-01-01T00:00:00.000Z' WHERE id = ?`,
      args: [due],
    });
    // Another writer's clock, made deterministic: deleting the due episode ages the other one past
    // the delete line, after the run chose what to delete and before it archives.
    await raw.execute(
      `CREATE TRIGGER age_on_forget AFTER DELETE ON episodes WHEN old.id = '${due}' BEGIN
         UPDATE episodes SET created_at = '2000-01-01T00:00:00.000Z' WHERE id = '${crossing}'; END`,
    );
    raw.close();
    const policy = { logs: { archiveAfterDays: 1, deleteAfterDays: 7 } };
    const now = new Date(Date.now() + 3 * 86_400_000);
    const updates = async () => (await store.memory.admin.audit({ operation: 'update' })).length;
    const updatesBefore = await updates();

    expect(await store.memory.admin.retention(policy, { now })).toMatchObject({
      archived: { logs: 0 },
      deleted: { logs: 1 },
    });
    expect(await store.memory.episodes.get(crossing)).toMatchObject({ status: 'completed' });
    expect(await updates()).toBe(updatesBefore);

    expect(await store.memory.admin.retention(policy, { now })).toMatchObject({ deleted: { logs: 1 } });
    expect(await store.memory.episodes.get(crossing)).toBeNull();
  });

  it('refuses a scoped caller a policy for another domain, changing nothing', async () => {
    const theirs = await record('web', 'THEIRS');
    const mine = await record('logs', 'MINE');
    const now = new Date(Date.now() + 10 * 86_400_000);
    const scope = { domains: ['logs'] };
    await expect(
      store.memory.admin.retention(
        { logs: { archiveAfterDays: 1 }, web: { archiveAfterDays: 1 } },
        { now, scope },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await store.memory.episodes.get(theirs))?.status).toBe('completed');
    expect((await store.memory.episodes.get(mine))?.status).toBe('completed');
    expect(await store.memory.admin.retention({ logs: { archiveAfterDays: 1 } }, { now, scope })).toEqual({
      archived: { logs: 1 },
      deleted: {},
      auditPruned: 0,
    });
    expect((await store.memory.episodes.get(theirs))?.status).toBe('completed');
  });

  it('archives and deletes by per-domain age, keeping archived episodes readable', async () => {
    const old = await record('web', 'OLD');
    const older = await record('logs', 'OLDER');
    const now = new Date(Date.now() + 10 * 86_400_000);
    const fresh = await record('web', 'FRESH');

    const report = await store.memory.admin.retention(
      { web: { archiveAfterDays: 5 }, logs: { archiveAfterDays: 1, deleteAfterDays: 7 } },
      { now },
    );
    expect(report).toEqual({ archived: { web: 2, logs: 0 }, deleted: { logs: 1 }, auditPruned: 0 });
    expect(await store.memory.episodes.get(old)).toMatchObject({ status: 'archived' });
    expect(await store.memory.episodes.get(fresh)).toMatchObject({ status: 'archived' });
    expect(await store.memory.episodes.get(older)).toBeNull();
    await expect(
      store.memory.admin.retention({ web: { archiveAfterDays: 9, deleteAfterDays: 2 } }),
    ).rejects.toMatchObject({
      issues: [{ path: 'policies.web.deleteAfterDays' }],
    });
  });
});
