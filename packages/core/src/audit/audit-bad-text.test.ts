import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAuditAsBefore1260 } from '../__fixtures__/older-audit-rows.js';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { openDatabase } from '../db/database.js';
import { openMemory } from '../open-memory.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const reader = fileURLToPath(new URL('../__fixtures__/read-audit.ts', import.meta.url));

describe('audit log rows that are not UTF-8', () => {
  it('are read with U+FFFD when an older process wrote them after 1.26.0 repaired the log', async () => {
    const store = tempStoreFolder();
    cleanups.push(store.cleanup);
    await (await openMemory({ url: store.url, cache: false })).close();
    // What a process of version 1.25.0 or older, still running beside the upgrade, records for a
    // read token's lookup of the pattern id "\ud800": SQLite's JSON stores the escape as ED A0 80.
    // 1.26.0 repaired such rows once; this one comes after it.
    const db = await openDatabase({ url: store.url, busyTimeoutMs: 5_000, synchronous: 'normal' });
    await db.write((tx) =>
      writeAuditAsBefore1260(tx, '[["tok\\udfff", "a\\ud800b", "sh\\udbffop"], ["local", "kept 🙂", null]]'),
    );
    await db.close();
    // Reading such text aborted the whole process (a panic in libSQL's driver): the server died
    // on every admin.audit, and `episodic audit` exited 134.
    const child = spawnSync(process.execPath, ['--import', 'tsx', reader, store.url, 'pattern'], {
      cwd: packageRoot,
      encoding: 'utf8',
    });
    expect({ status: child.status, signal: child.signal }).toEqual({ status: 0, signal: null });
    expect(JSON.parse(child.stdout)).toEqual([
      { actor: 'tok\uFFFD\uFFFD\uFFFD', entityId: 'a\uFFFD\uFFFD\uFFFDb', domain: 'sh\uFFFD\uFFFD\uFFFDop' },
      { actor: 'local', entityId: 'kept 🙂', domain: null },
    ]);
  }, 120_000);
});
