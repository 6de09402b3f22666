import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAuditAsBefore1260 } from '../__fixtures__/older-audit-rows.js';
import { storeAtSchema } from '../__fixtures__/older-store.js';
import { openDatabase } from '../db/database.js';
import { openMemory } from '../open-memory.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe('1.26.0: audit text that is not UTF-8', () => {
  it('rewrites the rows a lone surrogate poisoned before, so that reading the log no longer aborts the process', async () => {
    const folder = await storeAtSchema('1.25.0');
    cleanups.push(folder.cleanup);
    const db = await openDatabase({ url: folder.url, busyTimeoutMs: 5_000, synchronous: 'normal' });
    await db.write(async (tx) => {
      // As 1.25.0's audit log wrote a lookup of the pattern id "\ud800": SQLite's JSON stores the
      // escape as the bytes ED A0 80.
      await writeAuditAsBefore1260(
        tx,
        '[["local", "a\\ud800b", null], ["tok\\udfff", "fine", "shop"], ["local", "kept 🙂", null]]',
      );
      const bytes = await tx.execute(
        "SELECT hex(entity_id) AS h FROM audit_log WHERE entity_type = 'pattern' ORDER BY rowid",
      );
      expect(bytes.rows.map((row) => row.h)).toEqual(['61EDA08062', '66696E65', '6B65707420F09F9982']);
    });
    await db.close();

    const memory = await openMemory({ url: folder.url, cache: false });
    try {
      expect(memory.migration.applied).toEqual(['1.26.0']);
      const entries = (
        await memory.admin.audit({ since: '2026-12-01T00:00:00.000Z', until: '2026-12-01T00:00:01.000Z' })
      ).filter((entry) => entry.entityType === 'pattern');
      expect(entries.map(({ actor, entityId, domain }) => ({ actor, entityId, domain }))).toEqual([
        { actor: 'local', entityId: 'a\uFFFD\uFFFD\uFFFDb', domain: null },
        { actor: 'tok\uFFFD\uFFFD\uFFFD', entityId: 'fine', domain: 'shop' },
        { actor: 'local', entityId: 'kept 🙂', domain: null },
      ]);
      // Still append-only.
      const raw = createClient({ url: folder.url });
      try {
        await expect(raw.execute("UPDATE audit_log SET actor = 'x'")).rejects.toThrow(/append-only/);
      } finally {
        raw.close();
      }
    } finally {
      await memory.close();
    }
  });
});
