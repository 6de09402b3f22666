import { spawn, spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { filesHolding } from '../__fixtures__/folder-bytes.js';
import { tempDir } from '../__fixtures__/temp-store.js';
import { openDatabase } from '../db/database.js';
import { latestSchemaVersion } from '../migrations/migrate.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { openMemory } from '../open-memory.js';
import { backupDatabase } from './backup-database.js';
import { restoreDatabase } from './restore-database.js';
import { verifyDatabase } from './verify-database.js';

const writer = fileURLToPath(new URL('../__fixtures__/durable-writer.ts', import.meta.url));
const oldSchemaFixture = fileURLToPath(
  new URL('../migrations/__fixtures__/memory-1.0.0.db', import.meta.url),
);
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function folder(): string {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  return dir.path;
}

async function rowSet(path: string): Promise<string[]> {
  const client = createClient({ url: `file:${path}` });
  const rows: string[] = [];
  for (const table of ['episodes', 'steps', 'patterns', 'embeddings', 'episode_patterns']) {
    const result = await client.execute(`SELECT * FROM ${table} ORDER BY 1, 2`);
    rows.push(...result.rows.map((row) => `${table}:${JSON.stringify(row)}`));
  }
  client.close();
  return rows;
}

describe('backup and restore', () => {
  it('takes a consistent snapshot while another process writes, and restores exactly that row set', async () => {
    const dir = folder();
    const path = join(dir, 'memory.db');
    const child = spawn(process.execPath, ['--import', 'tsx', writer, `file:${path}`], {
      cwd: packageRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acknowledged = 0;
    child.stdout.on('data', (chunk: Buffer) => (acknowledged += chunk.toString().split('\n').length - 1));
    await new Promise<void>((done) => {
      const poll = setInterval(() => {
        if (acknowledged <= 60) return;
        clearInterval(poll);
        done();
      }, 10);
    });

    const db = await openDatabase({ url: `file:${path}`, busyTimeoutMs: 5000, synchronous: 'normal' });
    const backupPath = join(dir, 'backups', 'snapshot.db');
    const before = acknowledged;
    const report = await backupDatabase(db, backupPath);
    await new Promise((done) => setTimeout(done, 100));
    const after = acknowledged;
    await db.close();
    child.kill('SIGKILL');

    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.counts.episodes).toBeGreaterThan(5);
    expect(after).toBeGreaterThan(before); // the writer was live around the backup, not stopped for it
    expect(statSync(backupPath).mode & 0o777).toBe(0o600);
    // consistent: every batch of 4 steps is whole, every completed episode has all 12 of its steps
    const client = createClient({ url: `file:${backupPath}` });
    const perEpisode = await client.execute(
      `SELECT e.status, count(s.id) AS n FROM episodes e LEFT JOIN steps s ON s.episode_id = e.id GROUP BY e.id`,
    );
    client.close();
    for (const row of perEpisode.rows) {
      expect(Number(row.n) % 4).toBe(0);
      if (row.status === 'completed') expect(Number(row.n)).toBe(12);
    }

    const restored = join(dir, 'restored', 'memory.db');
    const restore = await restoreDatabase({ path: restored, from: backupPath });
    expect(restore.previous).toBeNull();
    expect(await rowSet(restored)).toEqual(await rowSet(backupPath));
    const memory = await openMemory({ url: `file:${restored}` });
    expect((await memory.search.text({ text: 'run' })).length).toBeGreaterThan(0); // full-text works on the restored copy
    await memory.close();
  }, 60_000);

  it('keeps an encrypted store encrypted in its backup', async () => {
    const dir = folder();
    const url = `file:${join(dir, 'memory.db')}`;
    const memory = await openMemory({ url, encryptionKey: 'backup key, 16 characters' });
    await memory.episodes.start({ taskType: 'debugging', domain: 'vault', context: 'PLAINTEXT-CANARY-5521' });
    await memory.close();
    const db = await openDatabase({
      url,
      busyTimeoutMs: 1000,
      synchronous: 'normal',
      encryptionKey: 'backup key, 16 characters',
    });
    const backupPath = join(dir, 'backup.db');
    expect((await backupDatabase(db, backupPath, { encryptionKey: 'backup key, 16 characters' })).ok).toBe(
      true,
    );
    await db.close();
    expect(readFileSync(backupPath).toString('latin1')).not.toContain('PLAINTEXT-CANARY-5521');
    expect((await verifyDatabase(backupPath)).ok).toBe(false);
  });

  it('refuses to restore a damaged backup and leaves the store as it was', async () => {
    const dir = folder();
    const path = join(dir, 'memory.db');
    const memory = await openMemory({ url: `file:${path}` });
    await memory.episodes.start({ taskType: 'testing', domain: 'keep' });
    await memory.close();
    const before = await rowSet(path);
    const damaged = join(dir, 'damaged.db');
    writeFileSync(damaged, Buffer.alloc(8192, 7));
    await expect(restoreDatabase({ path, from: damaged })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await rowSet(path)).toEqual(before);
  });

  async function storeWithBackup(dir: string) {
    const path = join(dir, 'memory.db');
    const first = await openMemory({ url: `file:${path}` });
    const kept = await first.episodes.start({
      taskType: 'testing',
      domain: 'd',
      context: 'before the backup',
    });
    const db = await openDatabase({ url: `file:${path}`, busyTimeoutMs: 1000, synchronous: 'normal' });
    await backupDatabase(db, join(dir, 'b.db'));
    await db.close();
    const lost = await first.episodes.start({
      taskType: 'testing',
      domain: 'd',
      context: 'AFTER-THE-BACKUP',
    });
    await first.close();
    return { path, kept, lost };
  }

  it('refuses a folder as the file to verify or restore, naming it', async () => {
    const dir = folder();
    await expect(verifyDatabase(dir)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: `${dir} is a folder, not a database file.`,
    });
    await expect(restoreDatabase({ path: join(dir, 'memory.db'), from: dir })).rejects.toThrow(
      `${dir} is a folder`,
    );
  });

  it('verifies and restores a backup of an early schema (1.0.0), upgraded to the current schema', async () => {
    const dir = folder();
    const old = join(dir, 'backup-1.0.0.db');
    copyFileSync(oldSchemaFixture, old);
    const report = await verifyDatabase(old);
    expect(report).toMatchObject({
      ok: true,
      problems: [],
      schemaVersion: '1.0.0',
      counts: { embeddings: 0 },
    });
    expect(report.counts.episodes).toBeGreaterThan(0);

    const path = join(dir, 'memory.db');
    expect(await restoreDatabase({ path, from: old })).toMatchObject({
      ok: true,
      schemaVersion: '1.0.0',
      migration: { from: '1.0.0', to: latestSchemaVersion },
    });
    // The restore brings the file to this version's schema (it carries the backup log into it).
    const memory = await openMemory({ url: `file:${path}` });
    expect(memory.migration).toMatchObject({ from: latestSchemaVersion, applied: [] });
    expect((await memory.episodes.list()).items).toHaveLength(report.counts.episodes);
    await memory.close();
    expect(await verifyDatabase(path)).toMatchObject({ ok: true, schemaVersion: latestSchemaVersion });
  });

  it('restores over an existing store and deletes the replaced file with its WAL', async () => {
    const dir = folder();
    const { path, kept, lost } = await storeWithBackup(dir);
    const report = await restoreDatabase({ path, from: join(dir, 'b.db') });
    expect(report).toMatchObject({ previous: null, removedPrevious: true });
    expect(readdirSync(dir).filter((name) => name.includes('before-restore'))).toEqual([]);
    expect(filesHolding(dir, 'AFTER-THE-BACKUP')).toEqual([]);
    const memory = await openMemory({ url: `file:${path}` });
    expect(await memory.episodes.get(kept.id)).not.toBeNull();
    expect(await memory.episodes.get(lost.id)).toBeNull();
    await memory.close();
  });

  it("makes another host's cache drop what the replaced file held, however much is written after", async () => {
    const dir = folder();
    const { path, kept: episode } = await storeWithBackup(dir);
    // A second server on the same file with its own data dir: its own cache folder.
    const otherCache = { path: join(dir, 'other-host-cache') };
    const first = await openMemory({ url: `file:${path}` });
    await first.episodes.complete(episode.id, { status: 'completed' });
    for (let i = 0; i < 20; i += 1) await first.episodes.start({ taskType: 'testing', domain: 'd' });
    await first.close();
    const other = await openMemory({ url: `file:${path}`, cache: otherCache });
    expect((await other.episodes.get(episode.id))?.status).toBe('completed');
    await other.close();

    await restoreDatabase({ path, from: join(dir, 'b.db') });
    // The restoring host writes more after the restore than the restore took back.
    const restoring = await openMemory({ url: `file:${path}` });
    for (let i = 0; i < 40; i += 1) await restoring.episodes.start({ taskType: 'testing', domain: 'd' });
    await restoring.close();
    const otherAgain = await openMemory({ url: `file:${path}`, cache: otherCache });
    expect((await otherAgain.episodes.get(episode.id))?.status).toBe('active');
    expect((await otherAgain.episodes.list({ domain: 'd', limit: 500 })).items).toHaveLength(41);
    await otherAgain.close();
  });

  it('leaves no forgotten text in a restored store: the backup holds none of its deleted rows', async () => {
    const [source, backups, target] = [folder(), folder(), folder()];
    const memory = await openMemory({ url: `file:${join(source, 'memory.db')}` });
    for (let n = 0; n < 400; n += 1) {
      const { id } = await memory.episodes.start({
        taskType: 'testing',
        domain: n % 2 === 0 ? 'kept' : 'gone',
        context: `checkout run ${n} zebra${n}fish`,
      });
      await memory.episodes.logSteps(id, [{ action: 'npm test', result: `failed at zebra${n}fish` }]);
      await memory.episodes.complete(id, { status: 'completed' });
    }
    await memory.close();
    const db = await openDatabase({
      url: `file:${join(source, 'memory.db')}`,
      busyTimeoutMs: 1000,
      synchronous: 'normal',
    });
    await backupDatabase(db, join(backups, 'b.db'));
    await db.close();

    const path = join(target, 'memory.db');
    await restoreDatabase({ path, from: join(backups, 'b.db') });
    const restored = await openMemory({ url: `file:${path}` });
    const report = await restored.admin.forget({ domain: 'gone' }, { purge: 'wait' });
    expect(report.purge).toBe('done');
    await restored.close();
    expect(filesHolding(target, 'zebra1fish', { foldCase: true })).toEqual([]);
    expect(filesHolding(target, 'zebra37fish', { foldCase: true })).toEqual([]);
    expect(filesHolding(target, 'zebra2fish', { foldCase: true })).not.toEqual([]);
  });

  it('restores no deleted text from a backup that holds some in its free pages', async () => {
    // A backup taken before backups zeroed what their full-text rebuild deletes, or written by other tools.
    const dir = folder();
    await storeWithBackup(dir);
    const raw = createClient({ url: `file:${join(dir, 'b.db')}` });
    await raw.execute(`CREATE TABLE scratch (text TEXT)`);
    await raw.execute(`INSERT INTO scratch VALUES ('${'DELETED-BEFORE-RESTORE '.repeat(40)}')`);
    await raw.execute('DROP TABLE scratch');
    raw.close();
    expect(filesHolding(dir, 'DELETED-BEFORE-RESTORE')).not.toEqual([]);
    const target = folder();
    await restoreDatabase({ path: join(target, 'memory.db'), from: join(dir, 'b.db') });
    expect(filesHolding(target, 'DELETED-BEFORE-RESTORE')).toEqual([]);
  });

  it.runIf(process.getuid?.() === 0)(
    "keeps the replaced file's owner when run as root (an operator restoring a service's store)",
    async () => {
      const dir = folder();
      const { path } = await storeWithBackup(dir);
      chownSync(path, 65534, 65534);
      await restoreDatabase({ path, from: join(dir, 'b.db') });
      expect(statSync(path)).toMatchObject({ uid: 65534, gid: 65534 });
    },
  );

  it('restores no claim to run a learner: no process runs the restored store', async () => {
    const dir = folder();
    const path = join(dir, 'memory.db');
    // The backup is taken while this process runs `mining`, so its claim is in the snapshot.
    const running = await openMemory({
      url: `file:${path}`,
      miners: [createActionPairMiner()],
      learning: { leaseMs: 600_000 },
    });
    const db = await openDatabase({ url: `file:${path}`, busyTimeoutMs: 1000, synchronous: 'normal' });
    await backupDatabase(db, join(dir, 'b.db'));
    await db.close();
    await running.close();
    await restoreDatabase({ path, from: join(dir, 'b.db') });
    const memory = await openMemory({ url: `file:${path}` });
    expect(await memory.learning.retire('mining')).toMatchObject({ learner: 'mining', registered: true });
    await memory.close();
  });

  it('keeps the replaced file (with its WAL) when asked, and says where', async () => {
    const dir = folder();
    const { path, lost } = await storeWithBackup(dir);
    const report = await restoreDatabase({ path, from: join(dir, 'b.db'), keepOld: true });
    expect(report).toMatchObject({
      previous: expect.stringMatching(/memory\.db\.before-restore-/),
      removedPrevious: false,
    });
    const previous = await openMemory({ url: `file:${report.previous}`, cache: false });
    expect(await previous.episodes.get(lost.id)).not.toBeNull();
    await previous.close();
  });
});

const sqlite3 = spawnSync('sqlite3', ['--version']).status === 0;
if (!sqlite3) console.info('sqlite3 CLI tests skipped: install the sqlite3 package to run them');

describe.skipIf(!sqlite3)("the seed's sqlite3 .backup / .restore", () => {
  it('backs up and restores an unencrypted store with the stock sqlite3 CLI', async () => {
    const dir = folder();
    const path = join(dir, 'memory.db');
    const memory = await openMemory({ url: `file:${path}` });
    const episode = await memory.episodes.start({
      taskType: 'testing',
      domain: 'cli',
      context: 'made before the backup',
    });
    await memory.episodes.logSteps(episode.id, [{ action: 'one' }, { action: 'two' }]);
    const backup = spawnSync('sqlite3', [path, `.backup ${join(dir, 'backup.db')}`], { encoding: 'utf8' });
    expect(backup.status, backup.stderr).toBe(0);
    await memory.episodes.logStep(episode.id, { action: 'three, after the backup' });
    await memory.close();

    const restore = spawnSync('sqlite3', [path, `.restore ${join(dir, 'backup.db')}`], { encoding: 'utf8' });
    expect(restore.status, restore.stderr).toBe(0);
    const check = spawnSync('sqlite3', [path, 'SELECT count(*) FROM steps; PRAGMA integrity_check;'], {
      encoding: 'utf8',
    });
    expect(check.stdout.trim().split('\n')).toEqual(['2', 'ok']);
    const reopened = await openMemory({ url: `file:${path}` });
    expect((await reopened.episodes.get(episode.id))?.steps.map((step) => step.action)).toEqual([
      'one',
      'two',
    ]);
    await reopened.close();
  });
});
