import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { filesHolding } from '../__fixtures__/folder-bytes.js';
import { tempDir } from '../__fixtures__/temp-store.js';
import { remineShadowTables } from '../mining/remine.js';
import { openMemory } from '../open-memory.js';
import { rekeyDatabase } from './rekey-database.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function seed(url: string, encryptionKey?: string) {
  const memory = await openMemory({ url, ...(encryptionKey ? { encryptionKey } : {}) });
  const ids: string[] = [];
  for (let i = 0; i < 30; i += 1) {
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: `d${i % 3}`,
      context: `REKEY-CANARY episode ${i}`,
    });
    await memory.episodes.logSteps(episode.id, [{ action: 'grep', result: `hit ${i}` }, { action: 'fix' }]);
    await memory.episodes.complete(episode.id, { status: i % 2 ? 'completed' : 'failed' });
    await memory.learning.flush();
    ids.push(episode.id);
  }
  await memory.tokens.create({ name: 'agent' });
  await memory.close();
  return ids;
}

async function snapshot(url: string, encryptionKey: string | undefined, ids: string[]) {
  const memory = await openMemory({ url, ...(encryptionKey ? { encryptionKey } : {}) });
  const episodes = await Promise.all(ids.map((id) => memory.episodes.get(id)));
  const hits = (await memory.search.text({ text: 'REKEY-CANARY', limit: 100 })).length;
  const tokens = (await memory.tokens.list()).length;
  // Words only the steps hold: retrieve finds them through the whole-episode index.
  const retrieved = (await memory.search.retrieve({ text: 'grep', limit: 100, patterns: 0 })).episodes.length;
  await memory.close();
  return { episodes, hits, tokens, retrieved };
}

/** Audit rows in the file; reading them is not itself audited, so this changes nothing. */
async function auditRows(url: string, encryptionKey: string | undefined) {
  const memory = await openMemory({ url, ...(encryptionKey ? { encryptionKey } : {}) });
  const rows = await memory.admin.audit({ limit: 1000 });
  await memory.close();
  return rows;
}

describe('rekey', () => {
  it.each([
    ['from no key to a key', undefined, 'the new key, 16 characters+'],
    ['from one key to another', 'the old key, 16 characters+', 'the new key, 16 characters+'],
  ])('moves a store %s without losing anything', async (_name, oldKey, newKey) => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const path = join(dir.path, 'memory.db');
    const url = `file:${path}`;
    const ids = await seed(url, oldKey);
    const before = await snapshot(url, oldKey, ids);
    expect(before.hits).toBe(30);
    expect(before.retrieved).toBe(30);

    const audit = await auditRows(url, oldKey);
    expect(audit.length).toBeGreaterThan(90);
    const report = await rekeyDatabase({ path, encryptionKey: oldKey, newEncryptionKey: newKey });
    expect(report.rows).toMatchObject({ episodes: 30, steps: 60 });
    expect(report).toMatchObject({ previous: null, removedPrevious: true });
    expect(readdirSync(dir.path).filter((name) => /before-rekey|rekeying/.test(name))).toEqual([]);

    expect(await auditRows(url, newKey)).toEqual(audit);
    expect(await snapshot(url, newKey, ids)).toEqual(before);
    expect(filesHolding(dir.path, 'REKEY-CANARY')).toEqual([]);
    await expect(openMemory({ url, ...(oldKey ? { encryptionKey: oldKey } : {}) })).rejects.toMatchObject({
      code: 'STORAGE',
    });
  });

  it('moves a store a killed remine left its shadow in, and leaves the shadow behind', async () => {
    // The new file's schema comes from the migrations, which have no shadow: rekey failed with
    // "no such table: remine_patterns" until a remine had run to its end.
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const path = join(dir.path, 'memory.db');
    const url = `file:${path}`;
    const ids = await seed(url);
    const raw = createClient({ url });
    for (const table of remineShadowTables) {
      await raw.execute(`CREATE TABLE ${table} (id TEXT PRIMARY KEY, summary TEXT)`);
      await raw.execute(`INSERT INTO ${table} VALUES ('p1', 'mined before the kill')`);
    }
    raw.close();
    const before = await snapshot(url, undefined, ids);
    const newKey = 'the new key, 16 characters+';
    const report = await rekeyDatabase({ path, newEncryptionKey: newKey });
    expect(report.rows).toMatchObject({ episodes: 30, steps: 60 });
    expect(await snapshot(url, newKey, ids)).toEqual(before);
    const memory = await openMemory({ url, encryptionKey: newKey });
    expect(await memory.admin.remine()).toMatchObject({ episodes: 30 });
    await memory.close();
  });

  it('keeps the file under the old key when asked, and says where', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const path = join(dir.path, 'memory.db');
    const ids = await seed(`file:${path}`);
    const report = await rekeyDatabase({
      path,
      newEncryptionKey: 'the new key, 16 characters+',
      keepOld: true,
    });
    expect(report).toMatchObject({
      previous: expect.stringMatching(/memory\.db\.before-rekey-/),
      removedPrevious: false,
    });
    // The new file is encrypted: the plaintext found is the old copy (or its WAL) that was kept.
    expect(filesHolding(dir.path, 'REKEY-CANARY')).not.toEqual([]);
    expect((await snapshot(`file:${path}`, 'the new key, 16 characters+', ids)).hits).toBe(30);
  });

  it('refuses a file that does not exist, naming it, and creates nothing', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const path = join(dir.path, 'typo', 'memroy.db');
    await expect(
      rekeyDatabase({ path, newEncryptionKey: 'the new key, 16 characters+' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `No database file at ${path}.`,
    });
    expect(readdirSync(dir.path)).toEqual([]);
  });
});
