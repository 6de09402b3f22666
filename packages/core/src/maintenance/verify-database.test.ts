import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { verifyDatabase } from './verify-database.js';

/** A second process: takes the store's write lock, says so, and lets it go a second later. */
const holdWriteLock = `
import { createClient } from '@libsql/client';
const client = createClient({ url: process.env.STORE_URL });
const transaction = await client.transaction('write');
await transaction.execute('UPDATE episodes SET context = context');
process.stdout.write('locked\\n');
setTimeout(async () => {
  await transaction.rollback();
  client.close();
}, 1000);
`;

let store: Awaited<ReturnType<typeof openTempMemory>>;
let path: string;
beforeEach(async () => {
  store = await openTempMemory();
  path = store.url.slice('file:'.length);
  const episode = await store.memory.episodes.start({
    taskType: 'debugging',
    domain: 'web',
    context: 'UNICORN',
  });
  await store.memory.episodes.logSteps(episode.id, [{ action: 'inspect', result: 'fine' }]);
});
afterEach(() => store.close());

describe('verify', () => {
  it('names a damaged full-text index, and sends the operator to repair', async () => {
    const raw = createClient({ url: store.url });
    await raw.execute(
      "UPDATE episodes_fts_data SET block = x'0102' WHERE id = (SELECT max(id) FROM episodes_fts_data)",
    );
    raw.close();
    const report = await verifyDatabase(path);
    expect(report.ok).toBe(false);
    // SQLite's own integrity check names it too.
    expect(report.problems).toContain('episodes_fts does not match its table (run repair)');
  });

  it('waits for another process’s write instead of reporting its indexes as not matching', async () => {
    // Another process (a server, `episodic audit` opening the store) holds the write lock for a
    // moment: FTS5's integrity check is a write statement, and failed at once with SQLITE_BUSY.
    const holder = spawn(process.execPath, ['--input-type=module', '-e', holdWriteLock], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, STORE_URL: store.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const report = await verifyDatabase(path);
    expect(await exited).toBe(0);
    expect(report).toMatchObject({ ok: true, problems: [] });
  });
});
