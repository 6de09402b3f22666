import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliProcess, runCli, stopCli, trackedCli } from './__fixtures__/cli-process.js';
import { rowSet } from './__fixtures__/row-set.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-in-use-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// Registered after the removal, so run before it (vitest runs afterAll hooks last in, first out).
const start = trackedCli();

const dataDir = join(root, 'data');
const database = join(dataDir, 'memory.db');
const backup = join(root, 'backup.db');

/** Runs `body` with a live process that does nothing, standing for one a marker names; ends it after. */
async function withStandIn(body: (pid: number) => Promise<void>): Promise<void> {
  const standIn = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => standIn.once('exit', resolve));
  try {
    await body(standIn.pid ?? 0);
  } finally {
    standIn.kill();
    await exited;
  }
}

/** What each command that replaces or re-embeds the store prints beside `holder`, which has it open. */
async function refusals(holder: CliProcess, command: string) {
  const pid = `pid ${holder.child.pid} (node ${holder.child.spawnargs[1]} ${command})`;
  const restore = await runCli(['restore', backup, '--data-dir', dataDir]);
  const rekey = await runCli(['rekey', '--data-dir', dataDir], {
    EPISODIC_NEW_ENCRYPTION_KEY: 'a new key, 16 chars or more',
  });
  const reindex = await runCli(['reindex', '--data-dir', dataDir, '--embeddings-dimensions', '256']);
  for (const result of [restore, rekey, reindex]) {
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`${database} is open in a running process: ${pid}`);
  }
  expect(restore.stderr).toMatch(/Stop them \(servers, workers, scripts\) before restoring/);
  expect(rekey.stderr).toMatch(/Stop them \(servers, workers, scripts\) before rekeying/);
  expect(reindex.stderr).toMatch(/Stop the servers, workers and scripts using it first/);
}

// Servers and workers starting on a loaded machine: room for them.
describe('restore, rekey and reindex beside a process that has the database open', {
  timeout: 300_000,
}, () => {
  it('refuse beside a server with another --data-dir on the same file, and beside a worker; go ahead once they stop', async () => {
    // A store to back up (`backup` creates none).
    expect((await runCli(['tokens', 'list', '--data-dir', dataDir])).code).toBe(0);
    expect((await runCli(['backup', backup, '--data-dir', dataDir])).code).toBe(0);
    // Restore and rekey move another file into place: the same inode is the same file.
    const inode = statSync(database).ino;

    const server = start([
      'serve',
      '--port',
      '0',
      '--data-dir',
      join(root, 'elsewhere'),
      '--database-url',
      `file:${database}`,
    ]);
    await server.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/);
    await refusals(
      server,
      `serve --port 0 --data-dir ${join(root, 'elsewhere')} --database-url file:${database}`,
    );
    await stopCli(server);

    const worker = start(['worker', '--data-dir', dataDir]);
    await worker.waitFor(/Episodic worker learning/);
    await refusals(worker, `worker --data-dir ${dataDir}`);
    await stopCli(worker);
    expect(statSync(database).ino).toBe(inode);

    const restored = await runCli(['restore', backup, '--data-dir', dataDir]);
    expect([restored.code, restored.stderr]).toEqual([0, expect.stringMatching(/was deleted/)]);
    expect(await rowSet(database)).toEqual(await rowSet(backup));
    const reindexed = await runCli(['reindex', '--data-dir', dataDir, '--embeddings-dimensions', '256']);
    expect([reindexed.code, reindexed.stderr]).toEqual([0, '']);
  });

  it('name the server and a worker beside it in one refusal, so that one stop of both is enough', async () => {
    const servedDir = join(root, 'served');
    const server = start(['serve', '--port', '0', '--data-dir', servedDir]);
    await server.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/);
    const worker = start(['worker', '--data-dir', servedDir]);
    await worker.waitFor(/Episodic worker learning/);
    const workerPid = `pid ${worker.child.pid} (node ${worker.child.spawnargs[1]} worker --data-dir ${servedDir})`;
    const commands = [
      ['restore', backup],
      ['rekey', null],
      ['reindex', null],
    ] as const;
    for (const [command, file] of commands) {
      const result = await runCli(
        [
          command,
          ...(file === null ? [] : [file]),
          '--data-dir',
          servedDir,
          '--embeddings-dimensions',
          '256',
        ],
        { EPISODIC_NEW_ENCRYPTION_KEY: 'a new key, 16 chars or more' },
      );
      expect(result.code, result.stderr).toBe(1);
      // Before, only the server: stopped, the next try named the worker.
      expect(result.stderr, command).toMatch(
        new RegExp(
          `A server \\(pid ${server.child.pid}\\) is using .*stop it before \`episodic ${command}\``,
        ),
      );
      expect(result.stderr, command).toContain(
        `Stop these too, which have ${join(servedDir, 'memory.db')} open: ${workerPid}.`,
      );
    }
    await stopCli(worker);
    await stopCli(server);
  });

  it('refuse beside a server of a version before 1.20 (it marked the data dir with serve-<pid>.pid), without migrating the store', async () => {
    const oldDir = join(root, 'old-server');
    // A store to back up (`backup` creates none).
    expect((await runCli(['tokens', 'list', '--data-dir', oldDir])).code).toBe(0);
    expect((await runCli(['backup', join(root, 'old.db'), '--data-dir', oldDir])).code).toBe(0);
    const oldDatabase = join(oldDir, 'memory.db');
    const before = readFileSync(oldDatabase);
    // A live process standing for the old server, as its marker names it (it wrote no other).
    await withStandIn(async (pid) => {
      const marker = join(oldDir, `serve-${pid}.pid`);
      writeFileSync(marker, `${pid}\n`);
      const commands = [
        ['restore', join(root, 'old.db'), 'replaces the database file'],
        ['rekey', null, 'replaces the database file'],
        ['reindex', null, 're-embeds its episodes for another model'],
      ] as const;
      for (const [command, file, does] of commands) {
        const result = await runCli(
          [command, ...(file === null ? [] : [file]), '--data-dir', oldDir, '--embeddings-dimensions', '256'],
          { EPISODIC_NEW_ENCRYPTION_KEY: 'a new key, 16 chars or more' },
        );
        expect([result.code, result.stderr], command).toEqual([
          1,
          `episodic: A server (pid ${pid}) is using ${oldDir}: stop it before \`episodic ${command}\`, which ${does} (if no server runs there, remove ${marker}).\n`,
        ]);
      }
      // Refused before the store was opened: not migrated, not touched.
      expect(readFileSync(oldDatabase).equals(before)).toBe(true);
    });
    // Gone, its marker no longer counts (and is removed).
    const reindexed = await runCli(['reindex', '--data-dir', oldDir, '--embeddings-dimensions', '256']);
    expect([reindexed.code, reindexed.stderr]).toEqual([0, '']);
    expect(readdirSync(oldDir).filter((name) => name.startsWith('serve-'))).toEqual([]);
  });

  it('a command that migrates the store beside a server of a version before 1.20 says so', async () => {
    const oldDir = join(root, 'migrated-under-old-server');
    // A store to back up (`backup` creates none).
    expect((await runCli(['tokens', 'list', '--data-dir', oldDir])).code).toBe(0);
    expect((await runCli(['backup', join(root, 'migrated.db'), '--data-dir', oldDir])).code).toBe(0);
    // The store as the version before the last migration left it (1.26.0 only rewrites bad audit
    // text: running it again changes nothing else).
    const forget = async () => {
      const client = createClient({ url: `file:${join(oldDir, 'memory.db')}` });
      await client.execute("DELETE FROM schema_migrations WHERE version = '1.26.0'");
      client.close();
    };
    await forget();
    await withStandIn(async (pid) => {
      writeFileSync(join(oldDir, `serve-${pid}.pid`), `${pid}\n`);
      const result = await runCli(['tokens', 'list', '--data-dir', oldDir]);
      expect(result.code, result.stderr).toBe(0);
      // Before, nothing: that server left no marker beside the database file, only this one.
      expect(result.stderr).toContain(
        `episodic: brought the store from schema 1.25.0 to 1.26.0 while a server of an older version serves it (pid ${pid})`,
      );
      // Migrating nothing says nothing.
      expect((await runCli(['tokens', 'list', '--data-dir', oldDir])).stderr).toBe('');
    });
    // With no such server, a migration says nothing of one.
    await forget();
    expect((await runCli(['tokens', 'list', '--data-dir', oldDir])).stderr).toBe('');
  });

  it('refuse reindex beside a process of 1.20 or later that has the file open, without opening the store', async () => {
    const heldDir = join(root, 'held');
    // A store to back up (`backup` creates none).
    expect((await runCli(['tokens', 'list', '--data-dir', heldDir])).code).toBe(0);
    expect((await runCli(['backup', join(root, 'held.db'), '--data-dir', heldDir])).code).toBe(0);
    const heldDatabase = join(heldDir, 'memory.db');
    const before = readFileSync(heldDatabase);
    // An open would make it again: its absence after the refusal says the store was not opened.
    rmSync(join(heldDir, 'cache'), { recursive: true, force: true });
    // A live process standing for a worker or script with the file open, as its marker names it.
    await withStandIn(async (pid) => {
      mkdirSync(`${heldDatabase}.open`, { recursive: true });
      writeFileSync(join(`${heldDatabase}.open`, `${pid}-${randomUUID()}.pid`), `${pid}\n`);
      const result = await runCli(['reindex', '--data-dir', heldDir, '--embeddings-dimensions', '256']);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(
        `Refusing to reindex: ${heldDatabase} is open in a running process: pid ${pid}`,
      );
      // Refused before the store was opened: an open migrates an older store under the process
      // holding it, which may then no longer read it.
      expect(readFileSync(heldDatabase).equals(before)).toBe(true);
      expect(existsSync(join(heldDir, 'cache'))).toBe(false);
    });
  });
});
