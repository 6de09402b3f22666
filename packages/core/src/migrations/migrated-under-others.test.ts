import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openWarnings, storeAtSchema } from '../__fixtures__/older-store.js';
import { databasePresenceFolder } from '../db/presence.js';
import { migrations } from './migrate.js';
import { warnOfMigrationUnderOthers } from './migrated-under-others.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe('a migration while other processes have the file open', () => {
  it('is told, naming them; an open that migrates nothing says nothing', async () => {
    const folder = await storeAtSchema('1.22.0');
    cleanups.push(folder.cleanup);
    // A live process that opened the store at 1.22.0, as its marker says.
    const old = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => old.once('exit', resolve));
    try {
      mkdirSync(databasePresenceFolder(folder.path), { recursive: true });
      writeFileSync(`${databasePresenceFolder(folder.path)}/${old.pid}-0f0e0d0c.pid`, `${old.pid}\n`);
      const latest = migrations.at(-1)?.version;
      expect(await openWarnings(folder.url, 'brought')).toEqual([
        `episodic: brought ${folder.path} from schema 1.22.0 to ${latest} while another process has it open ` +
          `(pid ${old.pid}), opened at the older schema: a process checks it only as it opens, so they go on ` +
          'with the older version, writing rows without what this one adds. Stop them and start them with ' +
          'this version.',
      ]);
      expect(await openWarnings(folder.url, 'brought')).toEqual([]);
      // A process whose marker came once the migration had committed (a worker started with the
      // server, waiting for the write lock) opened at the new schema: it is not named (4 of 4
      // `serve` and `worker` started together were, before).
      const warnings: string[] = [];
      const migrated = { from: '1.22.0', to: latest ?? '', applied: [latest ?? ''] };
      warnOfMigrationUnderOthers(folder.path, migrated, [], { warn: (line) => warnings.push(line) });
      expect(warnings).toEqual([]);
      warnOfMigrationUnderOthers(folder.path, migrated, [old.pid as number], {
        warn: (line) => warnings.push(line),
      });
      expect(warnings).toHaveLength(1);
    } finally {
      old.kill();
      await exited;
    }
  });
});
