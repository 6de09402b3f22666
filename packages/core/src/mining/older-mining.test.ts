import { afterEach, describe, expect, it } from 'vitest';
import { openWarnings, storeAtSchema } from '../__fixtures__/older-store.js';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { openDatabase } from '../db/database.js';
import { rekeyDatabase } from '../maintenance/rekey-database.js';
import { restoreDatabase } from '../maintenance/restore-database.js';
import { openMemory } from '../open-memory.js';
import { minedAsTodaySince } from './older-mining.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const notice =
  'episodic: this store was at schema 1.22.0, before 1.23.0: its 1 mined patterns hold what that ' +
  "version's miners learned (the error-resolution miner's signatures have changed since), and episodes " +
  'mined now go to patterns of their own beside them. `episodic remine` (memory.admin.remine()) mines ' +
  'every episode again with the miners of this version.';

/** A store as a version at schema `version` left it, with one pattern of each kind if asked. */
async function storeAt(version: string, patterns: { mined: boolean; stored: boolean }) {
  const folder = await storeAtSchema(version);
  cleanups.push(folder.cleanup);
  const db = await openDatabase({ url: folder.url, busyTimeoutMs: 5_000, synchronous: 'normal' });
  await db.write(async (tx) => {
    if (patterns.mined)
      await tx.execute(`INSERT INTO patterns (id, pattern_type, domain, pattern_data, success_rate, support)
        VALUES ('mined', 'error_resolution', 'web', '{}', 1, 3)`);
    // Stored by hand (`patterns.store`): no miner learned it.
    if (patterns.stored)
      await tx.execute(`INSERT INTO patterns (id, pattern_type, domain, pattern_data, success_rate)
        VALUES ('stored', 'error_resolution', 'web', '{}', 1)`);
  });
  await db.close();
  return folder;
}

describe('opening a store mined by older miners', () => {
  it('says once, as it upgrades it, that its patterns are of older miners and that remine rebuilds them', async () => {
    const { url } = await storeAt('1.22.0', { mined: true, stored: true });
    expect(await openWarnings(url, 'mined patterns')).toEqual([notice]);
    expect(await openWarnings(url, 'mined patterns')).toEqual([]);
  });

  it('is said by the restore of a backup from before 1.23.0, which upgrades it', async () => {
    const backup = await storeAt('1.22.0', { mined: true, stored: false });
    const store = tempStoreFolder();
    cleanups.push(store.cleanup);
    await (await openMemory({ url: store.url, cache: false })).close();
    const report = await restoreDatabase({ path: store.path, from: backup.path });
    expect([report.migration.from, report.olderMining]).toEqual(['1.22.0', notice]);
    expect(await openWarnings(store.url, 'mined patterns')).toEqual([]);
  });

  it('is said by the rekey of a store from before 1.23.0, which upgrades it', async () => {
    const { path, url } = await storeAt('1.22.0', { mined: true, stored: false });
    const report = await rekeyDatabase({ path, newEncryptionKey: 'a new key of thirty-two characters!' });
    expect(report.olderMining).toBe(notice);
    const encrypted = { encryptionKey: 'a new key of thirty-two characters!' };
    expect(await openWarnings(url, 'mined patterns', encrypted)).toEqual([]);
  });

  it(`says nothing for a store from ${minedAsTodaySince} on, nor for one with no mined pattern`, async () => {
    expect(
      await openWarnings(
        (await storeAt(minedAsTodaySince, { mined: true, stored: false })).url,
        'mined patterns',
      ),
    ).toEqual([]);
    expect(
      await openWarnings((await storeAt('1.12.0', { mined: false, stored: true })).url, 'mined patterns'),
    ).toEqual([]);
  });
});
