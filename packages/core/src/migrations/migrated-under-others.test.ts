import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openWarnings, storeAtSchema } from '../__fixtures__/older-store.js';
import { databasePresenceFolder } from '../db/presence.js';
import { migrations } from './migrate.js';

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
    } finally {
      old.kill();
      await exited;
    }
  });
});
